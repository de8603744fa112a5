"""The server's Web Push identity (made once, kept 0600 in the instance dir, or given by the environment) and
the notification settings read from DOORSTEP_* variables."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backend.notifications.channels.vapid import KEY_FILE, b64url, vapid_identity
from backend.notifications.service import available_channels
from backend.settings import Settings, SettingsError


def test_the_vapid_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(instance_dir=tmp_path, public_base_url="https://deliveries.example.com")
    first = vapid_identity(settings)
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert vapid_identity(settings).public_key == first.public_key  # the browsers' subscriptions stay valid
    assert len(first.public_key) == 87 and first.subject == "mailto:ops@deliveries.example.com"


def test_a_vapid_key_from_the_environment_is_used_as_given(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    public = b64url(
        key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    for given in (pem, raw):
        settings = Settings.from_env(
            {
                "DOORSTEP_INSTANCE_DIR": str(tmp_path),
                "DOORSTEP_VAPID_PRIVATE_KEY": given,
                "DOORSTEP_MAIL_FROM": "notices@example.com",
            }
        )
        identity = vapid_identity(settings)
        assert identity.public_key == public and identity.subject == "mailto:notices@example.com"
    assert not (tmp_path / KEY_FILE).exists()


def test_notification_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "DOORSTEP_ENV": "prod",
            "DOORSTEP_SMTP_HOST": "smtp.example.com",
            "DOORSTEP_SMTP_PORT": "2525",
            "DOORSTEP_SMTP_STARTTLS": "false",
            "DOORSTEP_MAIL_FROM": "notices@example.com",
            "DOORSTEP_SMS_API_URL": "https://sms.example.com/",
            "DOORSTEP_SMS_ACCOUNT_SID": "AC1",
            "DOORSTEP_SMS_AUTH_TOKEN": "secret",
            "DOORSTEP_SMS_FROM": "Doorstep",
            "DOORSTEP_VAPID_SUBJECT": "https://deliveries.example.com/contact",
        }
    )
    assert settings.notify_delivery == "send"
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == ("smtp.example.com", 2525, False)
    assert settings.sms_api_url == "https://sms.example.com"
    assert sorted(available_channels(settings)) == ["email", "push", "sms"]
    bare = Settings.from_env({"DOORSTEP_ENV": "prod"})
    assert sorted(available_channels(bare)) == ["push"]  # a channel without its configuration is not used
    with pytest.raises(SettingsError, match="DOORSTEP_NOTIFY_DELIVERY"):
        Settings.from_env({"DOORSTEP_NOTIFY_DELIVERY": "carrier-pigeon"})
    with pytest.raises(SettingsError, match="DOORSTEP_VAPID_SUBJECT"):
        Settings.from_env({"DOORSTEP_VAPID_SUBJECT": "ops@example.com"})
