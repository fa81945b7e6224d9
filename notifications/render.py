"""What each notice says, in its recipient's language, and where it goes.

Each kind of notice is written here as a few translated sentences; three
templates lay them out as an e-mail's text and HTML parts, and the short
form SMS and Telegram carry. Only the e-mail names people: a text message is
read on a shared or locked phone. A death is never announced by a message:
the family hears that there is news and that a caseworker will call.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from families.models import FAMILY_FACING_REQUEST_STATUS, RegistrationRequest, RequestStatus
from notifications.models import OPTIONAL_KINDS, RECIPIENT_FILER, Channel, Notification, NotificationKind
from notifications.transports import Message
from prisoners.models import FAMILY_FACING_STATUS, CaseStatus

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class Content:
    subject: str
    greeting: str
    paragraphs: list[str]
    short: str
    action_label: str = ""
    # Where the button leads, worked out only when the message is written
    # (the delivery log reads the subject alone), from the ``case_references``
    # of its batch.
    action_path: Callable[[dict], str] | None = None


def site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """The person and kind a token stops, or None for a token that was not ours or was altered."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("k") not in OPTIONAL_KINDS or not isinstance(value.get("u"), int):
        return None
    return value["u"], value["k"]


def address_of(notification: Notification) -> str:
    """Where the notice goes, read when it is sent: a changed address is used, an erased one is not."""
    request = notification.request
    if notification.recipient_kind == RECIPIENT_FILER:
        return request.filer_email if request else ""
    user = notification.recipient
    if user is None:
        return ""
    if notification.channel == Channel.EMAIL:
        if notification.kind == NotificationKind.REQUEST_UPDATE and request and request.filer_email:
            # A request's updates go to the address the family gave on it.
            return request.filer_email
        return user.email
    member = getattr(user, "family_member", None)
    if member is None:
        return ""
    return member.phone if notification.channel == Channel.SMS else member.telegram_handle


def _recipient_name(notification: Notification) -> str:
    if notification.recipient_kind == RECIPIENT_FILER:
        return notification.request.filer_name
    member = getattr(notification.recipient, "family_member", None)
    return member.full_name if member else notification.recipient.get_username()


def _needs_case_reference(notification: Notification) -> bool:
    return (
        notification.request_id is None
        and notification.recipient_kind != RECIPIENT_FILER
        and bool(notification.prisoner_id and notification.recipient_id)
    )


def case_references(notifications) -> dict[tuple[int, int], str]:
    """The newest request each recipient filed about each prisoner of ``notifications``: one query for a batch."""
    wanted = {(n.recipient_id, n.prisoner_id) for n in notifications if _needs_case_reference(n)}
    if not wanted:
        return {}
    rows = (
        RegistrationRequest.objects.filter(
            filed_by__user_id__in={user for user, _prisoner in wanted},
            prisoner_id__in={prisoner for _user, prisoner in wanted},
        )
        .order_by("created_at", "pk")
        .values_list("filed_by__user_id", "prisoner_id", "reference")
    )
    # The newest comes last and stays.
    return {(user, prisoner): reference for user, prisoner, reference in rows if (user, prisoner) in wanted}


def _family_case_path(notification: Notification, references: dict[tuple[int, int], str]) -> str:
    """The family's own page for the case: their request about him, or the list of their requests."""
    if notification.recipient_kind == RECIPIENT_FILER:
        return reverse("families:lookup")
    reference = (
        notification.request.reference
        if notification.request is not None
        else references.get((notification.recipient_id, notification.prisoner_id))
    )
    if reference:
        return reverse("families:request_detail", args=[reference])
    return reverse("families:request_list")


def _prisoner_status(notification: Notification) -> Content:
    status = notification.context["status"]
    name = notification.prisoner.full_name
    greeting = _("Dear %(name)s,") % {"name": _recipient_name(notification)}
    action = {
        "action_label": _("Follow the case"),
        "action_path": lambda references: _family_case_path(notification, references),
    }
    if status == CaseStatus.DECEASED:
        return Content(
            subject=_("Homecoming: important news about your relative"),
            greeting=greeting,
            paragraphs=[
                _("There is important news about %(name)s.") % {"name": name},
                _("A caseworker will contact you personally with what is known."),
            ],
            short=_("Homecoming: there is important news about your relative. A caseworker will contact you."),
            **action,
        )
    label, explanation = FAMILY_FACING_STATUS[status]
    return Content(
        subject=_("Homecoming: news about your relative"),
        greeting=greeting,
        paragraphs=[
            _("The case of %(name)s has a new status: %(status)s.") % {"name": name, "status": label},
            str(explanation),
        ],
        short=_("Homecoming: your relative's case has a new status: %(status)s.") % {"status": label},
        **action,
    )


def _relative_as_filed(request: RegistrationRequest) -> str:
    return " ".join(part for part in (request.surname, request.given_names, request.patronymic) if part)


def _request_update(notification: Notification) -> Content:
    request = notification.request
    status = notification.context["status"]
    reason = notification.context.get("reason", "")
    values = {"reference": request.reference, "name": _relative_as_filed(request), "reason": reason}
    greeting = _("Dear %(name)s,") % {"name": _recipient_name(notification)}

    def path(references):
        return _family_case_path(notification, references)

    if status == RequestStatus.SUBMITTED:
        _title, next_step = FAMILY_FACING_REQUEST_STATUS[RequestStatus.SUBMITTED]
        return Content(
            subject=_("Homecoming: request %(reference)s received") % values,
            greeting=greeting,
            paragraphs=[
                _("We have received your request %(reference)s about %(name)s.") % values,
                str(next_step),
                _(
                    "Keep the access code you were shown when you filed: with the reference, it lets you "
                    "follow the request without an account."
                ),
            ],
            short=_("Homecoming: we have received your request %(reference)s.") % values,
            action_label=_("Follow the request"),
            action_path=path,
        )
    if status == RequestStatus.INFO_REQUESTED:
        return Content(
            subject=_("Homecoming: request %(reference)s needs more information") % values,
            greeting=greeting,
            paragraphs=[
                _("A caseworker has a question about your request %(reference)s:") % values,
                f"“{reason}”",
                _("Please answer on the request's page."),
            ],
            short=_("Homecoming: a caseworker has a question about your request %(reference)s.") % values,
            action_label=_("Answer"),
            action_path=path,
        )
    if status == RequestStatus.ACCEPTED:
        return Content(
            subject=_("Homecoming: request %(reference)s accepted") % values,
            greeting=greeting,
            paragraphs=[
                _("Your request %(reference)s about %(name)s has been accepted: the case is on file.") % values,
                _("Once a caseworker has verified your relationship, you will see the status of the case."),
            ],
            short=_("Homecoming: your request %(reference)s has been accepted.") % values,
            action_label=_("Follow the request"),
            action_path=path,
        )
    return Content(
        subject=_("Homecoming: request %(reference)s not accepted") % values,
        greeting=greeting,
        paragraphs=[
            _("Your request %(reference)s about %(name)s was not accepted. The reason:") % values,
            f"“{reason}”",
            _("If you have new information, you can file a new request."),
        ],
        short=_("Homecoming: your request %(reference)s was not accepted. The reason is on its page.") % values,
        action_label=_("Read the request"),
        action_path=path,
    )


def _staff_request(notification: Notification) -> Content:
    request = notification.request
    values = {"reference": request.reference}
    if notification.kind == NotificationKind.ASSIGNMENT:
        subject = _("Homecoming: request %(reference)s is assigned to you") % values
        lead = _("Request %(reference)s is now assigned to you.") % values
    else:
        subject = _("Homecoming: the family answered on request %(reference)s") % values
        lead = _("The family answered your question on request %(reference)s; it is back in review.") % values
    return Content(
        subject=subject,
        greeting=_("Hello %(name)s,") % {"name": notification.recipient.get_username()},
        paragraphs=[lead],
        short=subject,
        action_label=_("Open the request"),
        action_path=lambda _references: reverse("staff:request_review", args=[request.reference]),
    )


def _exchange(notification: Notification) -> Content:
    exchange = notification.exchange
    event = notification.context["event"]
    planned = exchange.planned_date
    values = {
        "name": notification.prisoner.full_name,
        "title": exchange.title,
        "date": formats.date_format(planned, "DATE_FORMAT") if planned else _("a date not yet fixed"),
    }
    if event == "released":
        paragraphs = [
            _("%(name)s is on the list of the exchange “%(title)s”, planned for %(date)s.") % values,
            _("A list can change until the exchange takes place: we will tell you what happens."),
        ]
        short = _("Homecoming: your relative is on the list of an exchange. Sign in to read more.")
    elif event == "cancelled":
        paragraphs = [
            _("The exchange “%(title)s” has been cancelled.") % values,
            _("%(name)s stays on the official list and can be included in another exchange.") % values,
        ]
        short = _("Homecoming: an exchange your relative was listed for has been cancelled.")
    elif notification.context.get("outcome") == "declined":
        paragraphs = [
            _("The exchange “%(title)s” has taken place.") % values,
            _("%(name)s was on its list and, as the record says, declined to be repatriated.") % values,
            _("A caseworker will contact you personally with what is known."),
        ]
        short = _("Homecoming: there is news about your relative and an exchange. A caseworker will contact you.")
    else:
        paragraphs = [
            _("The exchange “%(title)s” has taken place.") % values,
            _("%(name)s was on its list but was not handed over.") % values,
            _("The case stays open, and your relative can be included in another exchange."),
        ]
        short = _("Homecoming: an exchange has taken place; your relative was not among those returned.")
    return Content(
        subject=_("Homecoming: news about an exchange"),
        greeting=_("Dear %(name)s,") % {"name": _recipient_name(notification)},
        paragraphs=paragraphs,
        short=short,
        action_label=_("Follow the case"),
        action_path=lambda references: _family_case_path(notification, references),
    )


WRITERS = {
    NotificationKind.PRISONER_STATUS: _prisoner_status,
    NotificationKind.REQUEST_UPDATE: _request_update,
    NotificationKind.ASSIGNMENT: _staff_request,
    NotificationKind.FAMILY_ANSWER: _staff_request,
    NotificationKind.EXCHANGE_INCLUSION: _exchange,
}


def subject_of(notification: Notification) -> str:
    """The notice's subject line, in its own language: what the delivery log shows."""
    with translation.override(notification.language):
        return WRITERS[notification.kind](notification).subject


def message_for(notification: Notification, *, references: dict[tuple[int, int], str] | None = None) -> Message:
    """The message in its language; ``references`` are ``case_references`` of its batch, read here if not given."""
    if references is None:
        references = case_references([notification])
    with translation.override(notification.language):
        content = WRITERS[notification.kind](notification)
        unsubscribe = ""
        headers = {}
        if notification.kind in OPTIONAL_KINDS and notification.recipient_id:
            token = unsubscribe_token(user_id=notification.recipient_id, kind=notification.kind)
            unsubscribe = site_url(reverse("notifications:unsubscribe", args=[token]))
            # RFC 8058: mail programs offer a one-click "unsubscribe" that POSTs here.
            headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        context = {
            "content": content,
            "action_url": site_url(content.action_path(references)) if content.action_path else "",
            "unsubscribe_url": unsubscribe,
            "language": notification.language,
        }
        short_url = context["action_url"]
        return Message(
            subject=content.subject,
            text=render_to_string("notifications/email.txt", context),
            html=render_to_string("notifications/email.html", context),
            short=f"{content.short} {short_url}".strip(),
            headers=headers,
        )
