"""E-mail over SMTP (aiosmtplib): one multipart message, plain text with an HTML alternative, from the
organization's sender name at DOORSTEP_MAIL_FROM."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from backend.notifications.channels import Outgoing, SendFailed, short
from backend.notifications.models import ChannelName

TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    mail_from: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True


def build_message(config: SmtpConfig, message: Outgoing) -> EmailMessage:
    email = EmailMessage()
    email["From"] = formataddr((message.sender_name, config.mail_from))
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=config.mail_from.rpartition("@")[2] or None)
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    return email


class EmailChannel:
    name = ChannelName.email

    def __init__(self, config: SmtpConfig) -> None:
        self._config = config

    async def send(self, message: Outgoing) -> None:
        config = self._config
        try:
            await aiosmtplib.send(
                build_message(config, message),
                hostname=config.host,
                port=config.port,
                username=config.username,
                password=config.password,
                start_tls=config.starttls,
                timeout=TIMEOUT_S,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [error.code for error in exc.recipients]
            raise SendFailed(
                short(f"recipient refused: {'; '.join(str(e) for e in exc.recipients)}"),
                retry=any(code < 500 for code in codes),
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 4xx: the server asks to come back later; 5xx: it will never take this message
            raise SendFailed(short(f"SMTP {exc.code}: {exc.message}"), retry=exc.code < 500) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendFailed(short(f"SMTP server unreachable: {exc}"), retry=True) from exc
