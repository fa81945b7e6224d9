"""The receipt e-mailed to a family when its request is filed.

It carries the one-time access code, so it is sent in-process right after
the filing commits, never through the task broker, where the code would sit
in plain text.
"""

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from families.models import FAMILY_FACING_REQUEST_STATUS, RegistrationRequest, RequestStatus

logger = logging.getLogger(__name__)


def registration_request_receipt_send(*, request: RegistrationRequest, access_code: str, lookup_url: str) -> bool:
    """E-mail the reference, the access code and what happens next, in the request's language.

    A failure is logged and reported as ``False``: the request is filed
    whatever the mail server does, and its page shows the code once already.
    """
    if not request.filer_email:
        return False
    with translation.override(request.language):
        _title, next_step = FAMILY_FACING_REQUEST_STATUS[RequestStatus.SUBMITTED]
        context = {"request": request, "access_code": access_code, "lookup_url": lookup_url, "next_step": next_step}
        subject = " ".join(render_to_string("families/email/request_filed_subject.txt", context).split())
        body = render_to_string("families/email/request_filed_body.txt", context)
    try:
        send_mail(subject, body, None, [request.filer_email])
    except Exception as error:
        # The error's text may name the address: log its kind and the reference only.
        logger.error("Receipt for request %s not sent: %s", request.reference, type(error).__name__)
        return False
    return True
