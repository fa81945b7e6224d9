"""The receipt e-mailed to a family when its request is filed.

It carries the one-time access code, so it is sent in-process right after
the filing commits, never through the task broker, where the code would sit
in plain text. It is the filer's first notice (``notifications.services.
receipt_reserve``): recorded in the delivery log, and if it cannot be sent, a
worker sends the same notice without the code, with retries.
"""

import logging

from django.template.loader import render_to_string
from django.utils import translation

from families.models import FAMILY_FACING_REQUEST_STATUS, RegistrationRequest, RequestStatus
from notifications.models import Channel, Notification, NotificationKind, NotificationState
from notifications.services import receipt_delivered
from notifications.transports import EmailTransport, Message, TransportError

logger = logging.getLogger(__name__)


def registration_request_receipt_send(*, request: RegistrationRequest, access_code: str, lookup_url: str) -> bool:
    """E-mail the reference, the access code and what happens next, in the request's language.

    A failure is logged and reported as ``False``: the request is filed
    whatever the mail server does, and its page shows the code once already.
    """
    notification = (
        Notification.objects.filter(
            request=request,
            kind=NotificationKind.REQUEST_UPDATE,
            channel=Channel.EMAIL,
            context__status=RequestStatus.SUBMITTED,
            state=NotificationState.PENDING,
        )
        .order_by("pk")
        .first()
    )
    if notification is None or not request.filer_email:
        return False
    with translation.override(request.language):
        _title, next_step = FAMILY_FACING_REQUEST_STATUS[RequestStatus.SUBMITTED]
        context = {"request": request, "access_code": access_code, "lookup_url": lookup_url, "next_step": next_step}
        subject = " ".join(render_to_string("families/email/request_filed_subject.txt", context).split())
        body = render_to_string("families/email/request_filed_body.txt", context)
    transport = EmailTransport()
    try:
        transport.send(
            notification, Message(subject=subject, text=body, html="", short="", headers={}), request.filer_email
        )
    except TransportError as error:
        # The error's text is redacted of addresses: log its kind and the reference only.
        logger.error("Receipt for request %s not sent: %s", request.reference, error)
        receipt_delivered(notification=notification, error=error)
        return False
    finally:
        transport.close()
    receipt_delivered(notification=notification, error=None)
    return True
