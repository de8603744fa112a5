"""Web Push (pywebpush's asyncio API): the notice encrypted for the browser's keys (aes128gcm, RFC 8291) and
signed with our VAPID key (RFC 8292), posted to the push service the browser named."""

from __future__ import annotations

import json

import aiohttp
from pywebpush import WebPushException, webpush_async

from backend.notifications.channels import Outgoing, SendFailed, short
from backend.notifications.channels.vapid import VapidIdentity
from backend.notifications.models import ChannelName

TIMEOUT_S = 15.0
TTL_S = 12 * 3600  # a push service keeps a notice this long for a phone that is off
GONE = (404, 410)  # the browser dropped the subscription: delete it, never retry


class PushChannel:
    name = ChannelName.push

    def __init__(self, identity: VapidIdentity) -> None:
        self._identity = identity

    async def send(self, message: Outgoing) -> None:
        target = message.push
        if target is None:
            raise SendFailed("the push subscription was removed", retry=False, gone=True)
        payload = json.dumps({"title": message.subject, "body": message.text, "url": message.link})
        try:
            await webpush_async(
                subscription_info={"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
                data=payload,
                vapid_private_key=self._identity.vapid,
                vapid_claims={"sub": self._identity.subject},  # a fresh dict: pywebpush adds aud and exp to it
                ttl=TTL_S,
                timeout=TIMEOUT_S,
            )
        except WebPushException as exc:
            status = exc.status_code
            if status in GONE:
                raise SendFailed(f"push service answered {status}: subscription gone", retry=False, gone=True) from exc
            retry = status is None or status == 429 or status >= 500
            raise SendFailed(short(f"push service answered {status}: {exc.message}"), retry=retry) from exc
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise SendFailed(short(f"push service unreachable: {exc!r}"), retry=True) from exc
        except ValueError as exc:  # keys that do not decode to a P-256 point (validated at subscription, still)
            raise SendFailed(short(f"bad subscription keys: {exc}"), retry=False, gone=True) from exc
