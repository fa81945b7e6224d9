"""One small class per channel, as healthchecks' transports.

``send(notification, message)`` delivers one rendered message or raises
``TransportError``, which says whether trying again later may succeed. A
transport is opened once per batch and closed after it, so a batch of e-mails
shares one SMTP connection.

Error texts are stored for staff to read, as the far end gave them (an SMTP
server's words are not ours to translate); addresses and numbers it echoes
back are blanked out of them.
"""

import contextlib
import re
import smtplib
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from notifications.models import Channel, Notification

_ADDRESS = re.compile(r"[^\s<>\"']+@[^\s<>\"']+")
_NUMBER = re.compile(r"\+?\d[\d \-]{5,}\d")
ERROR_LENGTH = 300


def redacted(text: str) -> str:
    return _NUMBER.sub("…", _ADDRESS.sub("…", text))[:ERROR_LENGTH]


class TransportError(Exception):
    def __init__(self, message: str, *, temporary: bool, retry_after: float | None = None):
        super().__init__(redacted(message))
        self.temporary = temporary
        self.retry_after = retry_after


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    # For SMS and Telegram: a few lines, no names.
    short: str
    headers: dict


def message_id(notification: Notification) -> str:
    """The same Message-ID for every attempt, so that a receiver can drop a repeat."""
    return f"<{notification.delivery_id}@{settings.NOTIFICATION_MESSAGE_ID_DOMAIN}>"


class EmailTransport:
    channel = Channel.EMAIL

    def __init__(self):
        self.connection = None

    def send(self, notification: Notification, message: Message, address: str) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            to=[address],
            headers={"Message-ID": message_id(notification), **message.headers},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            if self.connection is None:
                # Opened here, the connection stays open for the batch; left
                # to ``send()``, it would be opened and closed for each message.
                connection = get_connection(fail_silently=False)
                connection.open()
                self.connection = connection
            email.connection = self.connection
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise TransportError(
                f"SMTP refused the recipient ({', '.join(map(str, codes))})",
                temporary=all(code < 500 for code in codes),
            ) from None
        except smtplib.SMTPAuthenticationError as error:
            # The server's settings are wrong, not the message: it goes once they are mended.
            self.close()
            raise TransportError(f"SMTP authentication failed ({error.smtp_code})", temporary=True) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            text = (
                error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
            )
            raise TransportError(f"SMTP {error.smtp_code}: {text}", temporary=error.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError) as error:
            # A dropped connection or a server that is down: a fresh connection may do.
            self.close()
            raise TransportError(f"SMTP unreachable: {type(error).__name__}", temporary=True) from None

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


# HTTP answers worth trying again: a timeout, throttling, the far end's trouble.
TEMPORARY_HTTP = frozenset({408, 425, 429, 500, 502, 503, 504})


class HttpGatewayTransport:
    """A channel behind an HTTP gateway: a JSON POST, with the verdict read from the status."""

    name = ""

    def __init__(self):
        self.session = requests.Session()

    def endpoint(self) -> str:
        raise NotImplementedError

    def payload(self, notification: Notification, message: Message, address: str) -> dict:
        raise NotImplementedError

    def headers(self, notification: Notification) -> dict:
        return {"Idempotency-Key": notification.delivery_id}

    def send(self, notification: Notification, message: Message, address: str) -> None:
        url = self.endpoint()
        if not url:
            raise TransportError(f"The {self.name} gateway is not configured", temporary=False)
        try:
            response = self.session.post(
                url,
                json=self.payload(notification, message, address),
                headers=self.headers(notification),
                timeout=settings.NOTIFICATION_GATEWAY_TIMEOUT,
            )
        except requests.RequestException as error:
            raise TransportError(f"{self.name} gateway unreachable: {type(error).__name__}", temporary=True) from None
        if response.ok:
            return
        retry_after = _retry_after(response)
        raise TransportError(
            f"{self.name} gateway answered {response.status_code}: {response.text[:200]}",
            temporary=response.status_code in TEMPORARY_HTTP,
            retry_after=retry_after,
        )

    def close(self) -> None:
        self.session.close()


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        try:
            value = response.json().get("parameters", {}).get("retry_after")
        except (ValueError, AttributeError):
            return None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class SmsTransport(HttpGatewayTransport):
    """SMS through a gateway that takes ``{"to", "text", "sender", "reference"}`` with a bearer token."""

    channel = Channel.SMS
    name = "SMS"

    def endpoint(self) -> str:
        return settings.SMS_GATEWAY_URL

    def headers(self, notification: Notification) -> dict:
        headers = super().headers(notification)
        if settings.SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
        return headers

    def payload(self, notification: Notification, message: Message, address: str) -> dict:
        return {
            "to": address,
            "text": message.short,
            "sender": settings.SMS_SENDER,
            "reference": notification.delivery_id,
        }


class TelegramTransport(HttpGatewayTransport):
    """Telegram's Bot API ``sendMessage``, or a gateway that speaks it."""

    channel = Channel.TELEGRAM
    name = "Telegram"

    def endpoint(self) -> str:
        if not settings.TELEGRAM_BOT_TOKEN:
            return ""
        return f"{settings.TELEGRAM_API_URL.rstrip('/')}/bot{settings.TELEGRAM_BOT_TOKEN}/sendMessage"

    def payload(self, notification: Notification, message: Message, address: str) -> dict:
        return {"chat_id": address, "text": message.short, "disable_web_page_preview": True}


TRANSPORTS = {transport.channel: transport for transport in (EmailTransport, SmsTransport, TelegramTransport)}
