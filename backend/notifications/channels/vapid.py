"""The server's VAPID identity for Web Push (RFC 8292): a P-256 key pair made on first run and kept in
<instance dir>/vapid_private.pem (0600), unless DOORSTEP_VAPID_PRIVATE_KEY gives one. Browsers subscribe with its
public half, so replacing the key orphans every subscription: keep the file with the secret key."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from backend.settings import Settings

KEY_FILE = "vapid_private.pem"


@dataclass(frozen=True)
class VapidIdentity:
    vapid: Vapid02
    public_key: str  # base64url of the uncompressed point: the browser's applicationServerKey
    subject: str  # mailto: or https: where a push service can reach us


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _from_text(text: str) -> ec.EllipticCurvePrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
    else:  # base64url DER, or the raw 32-byte private value as `vapid --gen` / web-push tools print it
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("a VAPID key is an EC P-256 private key")
    return key


def _load_or_create(path: Path) -> ec.EllipticCurvePrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    return _from_text(path.read_text())


def default_subject(settings: Settings) -> str:
    if settings.vapid_subject:
        return settings.vapid_subject
    if settings.mail_from:
        return f"mailto:{settings.mail_from}"
    return f"mailto:ops@{urlsplit(settings.public_base_url).hostname or 'localhost'}"


def vapid_identity(settings: Settings) -> VapidIdentity:
    key = (
        _from_text(settings.vapid_private_key)
        if settings.vapid_private_key
        else _load_or_create(settings.instance_dir / KEY_FILE)
    )
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return VapidIdentity(vapid=Vapid02(key), public_key=b64url(public), subject=default_subject(settings))
