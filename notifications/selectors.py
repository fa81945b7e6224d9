"""Reading the delivery log: staff read a record's or a request's, a person reads what was sent to them."""

from dataclasses import dataclass

from django.db.models import QuerySet

from notifications.models import RECIPIENT_FILER, Notification
from notifications.render import subject_of

# The newest notices a staff page lists: a long history stays in the admin.
STAFF_LOG_LENGTH = 100


@dataclass(frozen=True)
class LogEntry:
    notification: Notification
    subject: str
    recipient: str


def _log(queryset: QuerySet[Notification]) -> QuerySet[Notification]:
    return queryset.select_related("recipient__family_member", "request", "prisoner", "exchange").order_by(
        "-created_at", "-pk"
    )


def _entries(notifications) -> list[LogEntry]:
    return [
        LogEntry(notification=notification, subject=subject_of(notification), recipient=_recipient(notification))
        for notification in notifications
    ]


def _recipient(notification: Notification) -> str:
    if notification.recipient_kind == RECIPIENT_FILER:
        return notification.request.filer_name if notification.request else ""
    user = notification.recipient
    if user is None:
        return ""
    member = getattr(user, "family_member", None)
    return member.full_name if member else user.get_username()


def delivery_log_for_prisoner(prisoner) -> list[LogEntry]:
    return _entries(_log(Notification.objects.filter(prisoner=prisoner))[:STAFF_LOG_LENGTH])


def delivery_log_for_request(registration_request) -> list[LogEntry]:
    return _entries(_log(Notification.objects.filter(request=registration_request))[:STAFF_LOG_LENGTH])


def notifications_sent_to(user) -> QuerySet[Notification]:
    """Everything addressed to this person, whatever became of it: theirs alone."""
    return _log(Notification.objects.filter(recipient=user))


def log_entries(notifications) -> list[LogEntry]:
    return _entries(notifications)
