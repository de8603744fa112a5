"""SMS through a provider's HTTP API. The one implementation speaks Twilio's REST shape (POST a form to
{api}/2010-04-01/Accounts/{sid}/Messages.json with basic auth); another provider is another small class."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from backend.notifications.channels import Outgoing, SendFailed, short
from backend.notifications.models import ChannelName

TIMEOUT_S = 15.0


@dataclass(frozen=True)
class TwilioConfig:
    api_url: str
    account_sid: str
    auth_token: str
    sender: str  # DOORSTEP_SMS_FROM: a number or an alphanumeric sender id


class TwilioSmsChannel:
    name = ChannelName.sms

    def __init__(self, config: TwilioConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._config = config
        self._transport = transport

    @property
    def url(self) -> str:
        return f"{self._config.api_url.rstrip('/')}/2010-04-01/Accounts/{self._config.account_sid}/Messages.json"

    async def send(self, message: Outgoing) -> None:
        config = self._config
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_S, transport=self._transport) as client:
                response = await client.post(
                    self.url,
                    data={"To": message.recipient, "From": config.sender, "Body": message.text},
                    auth=(config.account_sid, config.auth_token),
                )
        except httpx.HTTPError as exc:
            raise SendFailed(short(f"SMS provider unreachable: {exc!r}"), retry=True) from exc
        if response.is_success:
            return
        # 429 and 5xx pass; any other 4xx (a bad number, a blocked recipient, wrong credentials) will not
        retry = response.status_code == 429 or response.status_code >= 500
        raise SendFailed(short(f"SMS provider answered {response.status_code}: {response.text}"), retry=retry)
