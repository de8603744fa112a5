"""Typed settings from DOORSTEP_* environment variables; the only module that reads the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A DOORSTEP_* variable holds a value we cannot use; the message names it."""


def _choice(value: str, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise SettingsError(f"DOORSTEP_{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SettingsError(f"DOORSTEP_DEMO_TIMEZONE must be an IANA time zone, got {value!r}") from exc
    return value


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise SettingsError(f"DOORSTEP_{name} must be 1 or more, got {value}")
    return value


def _vapid_subject(value: str | None) -> str | None:
    if value is not None and not value.startswith(("mailto:", "https://")):
        raise SettingsError(f"DOORSTEP_VAPID_SUBJECT must be a mailto: or https:// URL, got {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    env: Literal["dev", "prod"] = "dev"
    """DOORSTEP_ENV: `dev` relaxes cookie Secure flags for http://localhost; `prod` is the default for deployments."""
    instance_dir: Path = PROJECT_ROOT / "instance"
    """DOORSTEP_INSTANCE_DIR: where the SQLite file, the secret key and media live by default."""
    database_url: str = ""
    """DOORSTEP_DATABASE_URL: SQLAlchemy async URL; default sqlite+aiosqlite:///<instance dir>/doorstep.db."""
    redis_url: str | None = None
    """DOORSTEP_REDIS_URL: when set, channels, rate limits and the pub/sub fan-out go through Redis."""
    media_dir: Path = Path()
    """DOORSTEP_MEDIA_DIR: proof-of-delivery files; default <instance dir>/media."""
    public_base_url: str = "http://127.0.0.1:8000"
    """DOORSTEP_PUBLIC_BASE_URL: the address users reach; tracking links and websocket origins derive from it."""
    secret_key: str = ""
    """DOORSTEP_SECRET_KEY: signs tracking tokens; default generated on first run into <instance dir>/secret_key."""
    host: str = "127.0.0.1"
    """DOORSTEP_HOST: address `doorstep serve` binds."""
    port: int = 8000
    """DOORSTEP_PORT: port `doorstep serve` binds."""
    max_body_bytes: int = 1_048_576
    """DOORSTEP_MAX_BODY_BYTES: largest JSON body accepted (413 beyond)."""
    max_media_bytes: int = 8_388_608
    """DOORSTEP_MAX_MEDIA_BYTES: largest proof photo or signature upload accepted (413 beyond)."""
    sync_key_retention_days: int = 30
    """DOORSTEP_SYNC_KEY_RETENTION_DAYS: how long the driver app's command ids are remembered (a replay within
    this time is answered `duplicate`; keep it longer than a phone may stay offline)."""
    max_import_bytes: int = 16_777_216
    """DOORSTEP_MAX_IMPORT_BYTES: largest order import (CSV or JSON) accepted."""
    max_import_rows: int = 20_000
    """DOORSTEP_MAX_IMPORT_ROWS: most rows one import may carry."""
    session_ttl_s: int = 12 * 3600
    """DOORSTEP_SESSION_TTL_S: how long a login lasts."""
    login_rate_limit_per_minute: int = 10
    """DOORSTEP_LOGIN_RATE_LIMIT_PER_MINUTE: login attempts per client address per minute (429 beyond)."""
    cors_origins: tuple[str, ...] = ()
    """DOORSTEP_CORS_ORIGINS: comma-separated origins allowed to call the API from a browser (none by default)."""
    trusted_proxies: tuple[str, ...] = ()
    """DOORSTEP_TRUSTED_PROXIES: comma-separated proxy addresses whose X-Forwarded-For is believed."""
    redis_namespace: str = "doorstep"
    """DOORSTEP_REDIS_NAMESPACE: prefix of every Redis key and channel, so several deployments can share one Redis."""
    log_level: str = "INFO"
    """DOORSTEP_LOG_LEVEL: structlog level."""
    travel_provider: Literal["road_graph", "straight_line", "osrm"] = "road_graph"
    """DOORSTEP_TRAVEL_PROVIDER: where travel times come from: an OSM road graph, straight lines, or an OSRM server."""
    osm_extract: Path = PROJECT_ROOT / "backend" / "demo" / "data" / "Helsinki.osm.pbf"
    """DOORSTEP_OSM_EXTRACT: the .osm.pbf of your city for the road graph (default: the Helsinki demo extract)."""
    osrm_url: str | None = None
    """DOORSTEP_OSRM_URL: base URL of your OSRM server (table and route services) for the osrm provider."""
    cache_dir: Path = Path()
    """DOORSTEP_CACHE_DIR: built road graphs are kept here; default <instance dir>/cache."""
    auto_publish_plans: bool = False
    """DOORSTEP_AUTO_PUBLISH_PLANS: publish every new plan at once instead of leaving a draft to review."""
    live_replanning: bool = True
    """DOORSTEP_LIVE_REPLANNING: amend a published plan when orders come, go or a route drops out (default on)."""
    replan_debounce_s: float = 2.0
    """DOORSTEP_REPLAN_DEBOUNCE_S: quiet time after a burst of changes before the warm-started re-solve."""
    replan_timeout_s: float = 0.3
    """DOORSTEP_REPLAN_TIMEOUT_S: the re-solve's local-search budget (VROOM level 1), from bench/replan.py."""
    replan_max_moved: int = 2
    """DOORSTEP_REPLAN_MAX_MOVED: a re-solve that moves more stops between drivers than this is not published."""
    position_retention_days: int = 30
    """DOORSTEP_POSITION_RETENTION_DAYS: drivers' raw positions older than this are deleted (hourly)."""
    notification_retention_days: int = 90
    """DOORSTEP_NOTIFICATION_RETENTION_DAYS: sent or failed notices (with customers' addresses) and push
    subscriptions older than this are deleted (hourly)."""
    webhook_log_retention_days: int = 30
    """DOORSTEP_WEBHOOK_LOG_RETENTION_DAYS: settled webhook deliveries (with the bodies they carried) older than this
    are deleted (hourly)."""
    tracking_link_ttl_s: int = 24 * 3600
    """DOORSTEP_TRACKING_LINK_TTL_S: a customer's tracking link answers 410 this long after the order closed."""
    tracking_rate_limit_per_minute: int = 60
    """DOORSTEP_TRACKING_RATE_LIMIT_PER_MINUTE: tracking-link lookups per client address per minute (429 beyond)."""
    eta_interval_s: float = 5.0
    """DOORSTEP_ETA_INTERVAL_S: a route's ETAs are recomputed at most this often from its driver's positions."""
    arriving_within_s: int = 300
    """DOORSTEP_ARRIVING_WITHIN_S: the next stop's order turns `arriving` when its ETA is this close."""
    geofence_radius_m: float = 50.0
    """DOORSTEP_GEOFENCE_RADIUS_M: a driver within this of a stop for 20 s has arrived (leaves at radius + 30 m)."""
    late_replan_min: int = 15
    """DOORSTEP_LATE_REPLAN_MIN: a driver this many minutes behind the plan records `route.delayed`; 0: never."""
    driver_offline_after_min: int = 10
    """DOORSTEP_DRIVER_OFFLINE_AFTER_MIN: a driver on a route in progress whose phone has sent no position nor offline
    action for this long is listed in the dispatcher's inbox as offline."""
    pickup_hold_days: int = 7
    """DOORSTEP_PICKUP_HOLD_DAYS: an in-store pickup not collected this long expires and goes back to the depot."""
    pickup_reminder_after_h: int = 24
    """DOORSTEP_PICKUP_REMINDER_AFTER_H: a pickup still waiting this long gets a reminder (`pickup.reminder`)."""
    pickup_expiry_warning_h: int = 24
    """DOORSTEP_PICKUP_EXPIRY_WARNING_H: this long before expiry, a last reminder (`pickup.expiry_warning`)."""
    webhook_retry_hours: float = 24.0
    """DOORSTEP_WEBHOOK_RETRY_HOURS: a failing webhook delivery is retried (backoff 30 s doubling to 1 h) this long;
    then it fails and its endpoint is disabled."""
    webhook_timeout_s: float = 10.0
    """DOORSTEP_WEBHOOK_TIMEOUT_S: how long a receiver has to answer one webhook request."""
    webhook_allow_private: bool = False
    """DOORSTEP_WEBHOOK_ALLOW_PRIVATE: allow webhook URLs on this machine or a private network (and plain http);
    on by default with DOORSTEP_ENV=dev, off in production (a guard against SSRF)."""
    notify_delivery: Literal["outbox", "send"] = "outbox"
    """DOORSTEP_NOTIFY_DELIVERY: `send` delivers customer notices; `outbox` (the default with DOORSTEP_ENV=dev) keeps
    e-mails and texts in the delivery log for dispatchers to read instead; Web Push, which only reaches a browser
    that subscribed on this server, is sent either way."""
    smtp_host: str | None = None
    """DOORSTEP_SMTP_HOST: the SMTP server for e-mail notices (no host, or no DOORSTEP_MAIL_FROM: no e-mail)."""
    smtp_port: int = 587
    """DOORSTEP_SMTP_PORT: its port."""
    smtp_username: str | None = None
    """DOORSTEP_SMTP_USERNAME: login at the SMTP server, when it wants one."""
    smtp_password: str | None = None
    """DOORSTEP_SMTP_PASSWORD: its password."""
    smtp_starttls: bool = True
    """DOORSTEP_SMTP_STARTTLS: insist on STARTTLS before logging in and sending (default on)."""
    mail_from: str | None = None
    """DOORSTEP_MAIL_FROM: the address notices come from; the organization's sender name goes with it."""
    sms_api_url: str = "https://api.twilio.com"
    """DOORSTEP_SMS_API_URL: base URL of the SMS provider's API (Twilio's REST shape)."""
    sms_account_sid: str | None = None
    """DOORSTEP_SMS_ACCOUNT_SID: the provider account (with the token and DOORSTEP_SMS_FROM, turns SMS on)."""
    sms_auth_token: str | None = None
    """DOORSTEP_SMS_AUTH_TOKEN: the account's secret."""
    sms_from: str | None = None
    """DOORSTEP_SMS_FROM: the number (or alphanumeric sender id) SMS notices come from."""
    vapid_private_key: str | None = None
    """DOORSTEP_VAPID_PRIVATE_KEY: the Web Push signing key (PEM or base64url); default generated on first run into
    <instance dir>/vapid_private.pem. Changing it orphans every browser's subscription."""
    vapid_subject: str | None = None
    """DOORSTEP_VAPID_SUBJECT: how push services reach the operator (mailto: or https:); default
    mailto:<DOORSTEP_MAIL_FROM>, else mailto:ops@<public host>."""
    demo_timezone: str = "Europe/Helsinki"
    """DOORSTEP_DEMO_TIMEZONE: the demo organization's zone when `doorstep demo` first seeds it (tests pick one
    where it is midday, so the simulated day never runs into midnight)."""
    relay_poll_s: float = 1.0
    """DOORSTEP_RELAY_POLL_S: how often the outbox relay looks for events committed by other processes."""
    run_relay: bool = True
    """DOORSTEP_RUN_RELAY: run the outbox relay inside the web process (turn off when `doorstep worker` runs it)."""

    @property
    def is_dev(self) -> bool:
        return self.env == "dev"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        env = dict(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = env.get(f"DOORSTEP_{name}")
            return value if value not in (None, "") else None

        def get_int(name: str, default: int) -> int:
            raw = get(name)
            if raw is None:
                return default
            try:
                return int(raw)
            except ValueError as exc:
                raise SettingsError(f"DOORSTEP_{name} must be an integer, got {raw!r}") from exc

        mode = get("ENV") or "dev"
        if mode not in ("dev", "prod"):
            raise SettingsError(f"DOORSTEP_ENV must be dev or prod, got {mode!r}")
        instance_dir = Path(get("INSTANCE_DIR") or PROJECT_ROOT / "instance").resolve()
        values: dict[str, object] = {
            "env": mode,
            "instance_dir": instance_dir,
            "database_url": get("DATABASE_URL") or f"sqlite+aiosqlite:///{instance_dir / 'doorstep.db'}",
            "redis_url": get("REDIS_URL"),
            "media_dir": Path(get("MEDIA_DIR") or instance_dir / "media"),
            "public_base_url": (get("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            "secret_key": get("SECRET_KEY") or "",
            "host": get("HOST") or "127.0.0.1",
            "port": get_int("PORT", 8000),
            "max_body_bytes": get_int("MAX_BODY_BYTES", 1_048_576),
            "max_media_bytes": get_int("MAX_MEDIA_BYTES", 8_388_608),
            "sync_key_retention_days": _positive(get_int("SYNC_KEY_RETENTION_DAYS", 30), "SYNC_KEY_RETENTION_DAYS"),
            "max_import_bytes": get_int("MAX_IMPORT_BYTES", 16_777_216),
            "max_import_rows": get_int("MAX_IMPORT_ROWS", 20_000),
            "session_ttl_s": get_int("SESSION_TTL_S", 12 * 3600),
            "login_rate_limit_per_minute": get_int("LOGIN_RATE_LIMIT_PER_MINUTE", 10),
            "cors_origins": tuple(o.strip() for o in (get("CORS_ORIGINS") or "").split(",") if o.strip()),
            "trusted_proxies": tuple(o.strip() for o in (get("TRUSTED_PROXIES") or "").split(",") if o.strip()),
            "redis_namespace": get("REDIS_NAMESPACE") or "doorstep",
            "log_level": (get("LOG_LEVEL") or "INFO").upper(),
            "travel_provider": _choice(
                get("TRAVEL_PROVIDER") or "road_graph", "TRAVEL_PROVIDER", ("road_graph", "straight_line", "osrm")
            ),
            "osm_extract": Path(get("OSM_EXTRACT") or PROJECT_ROOT / "backend" / "demo" / "data" / "Helsinki.osm.pbf"),
            "osrm_url": (get("OSRM_URL") or "").rstrip("/") or None,
            "cache_dir": Path(get("CACHE_DIR") or instance_dir / "cache"),
            "auto_publish_plans": (get("AUTO_PUBLISH_PLANS") or "false").lower() in ("1", "true", "yes"),
            "live_replanning": (get("LIVE_REPLANNING") or "true").lower() not in ("0", "false", "no"),
            "replan_debounce_s": float(get("REPLAN_DEBOUNCE_S") or 2.0),
            "replan_timeout_s": float(get("REPLAN_TIMEOUT_S") or 0.3),
            "replan_max_moved": int(get("REPLAN_MAX_MOVED") or 2),
            "position_retention_days": _positive(get_int("POSITION_RETENTION_DAYS", 30), "POSITION_RETENTION_DAYS"),
            "notification_retention_days": _positive(
                get_int("NOTIFICATION_RETENTION_DAYS", 90), "NOTIFICATION_RETENTION_DAYS"
            ),
            "webhook_log_retention_days": _positive(
                get_int("WEBHOOK_LOG_RETENTION_DAYS", 30), "WEBHOOK_LOG_RETENTION_DAYS"
            ),
            "tracking_link_ttl_s": get_int("TRACKING_LINK_TTL_S", 24 * 3600),
            "tracking_rate_limit_per_minute": get_int("TRACKING_RATE_LIMIT_PER_MINUTE", 60),
            "eta_interval_s": float(get("ETA_INTERVAL_S") or 5.0),
            "arriving_within_s": get_int("ARRIVING_WITHIN_S", 300),
            "geofence_radius_m": float(get("GEOFENCE_RADIUS_M") or 50.0),
            "late_replan_min": get_int("LATE_REPLAN_MIN", 15),
            "driver_offline_after_min": _positive(get_int("DRIVER_OFFLINE_AFTER_MIN", 10), "DRIVER_OFFLINE_AFTER_MIN"),
            "pickup_hold_days": get_int("PICKUP_HOLD_DAYS", 7),
            "pickup_reminder_after_h": get_int("PICKUP_REMINDER_AFTER_H", 24),
            "pickup_expiry_warning_h": get_int("PICKUP_EXPIRY_WARNING_H", 24),
            "webhook_retry_hours": float(get("WEBHOOK_RETRY_HOURS") or 24.0),
            "webhook_timeout_s": float(get("WEBHOOK_TIMEOUT_S") or 10.0),
            "webhook_allow_private": (get("WEBHOOK_ALLOW_PRIVATE") or ("true" if mode == "dev" else "false")).lower()
            not in ("0", "false", "no"),
            "notify_delivery": _choice(
                get("NOTIFY_DELIVERY") or ("outbox" if mode == "dev" else "send"), "NOTIFY_DELIVERY", ("outbox", "send")
            ),
            "smtp_host": get("SMTP_HOST"),
            "smtp_port": get_int("SMTP_PORT", 587),
            "smtp_username": get("SMTP_USERNAME"),
            "smtp_password": get("SMTP_PASSWORD"),
            "smtp_starttls": (get("SMTP_STARTTLS") or "true").lower() not in ("0", "false", "no"),
            "mail_from": get("MAIL_FROM"),
            "sms_api_url": (get("SMS_API_URL") or "https://api.twilio.com").rstrip("/"),
            "sms_account_sid": get("SMS_ACCOUNT_SID"),
            "sms_auth_token": get("SMS_AUTH_TOKEN"),
            "sms_from": get("SMS_FROM"),
            "vapid_private_key": get("VAPID_PRIVATE_KEY"),
            "vapid_subject": _vapid_subject(get("VAPID_SUBJECT")),
            "demo_timezone": _zone(get("DEMO_TIMEZONE") or "Europe/Helsinki"),
            "relay_poll_s": float(get("RELAY_POLL_S") or 1.0),
            "run_relay": (get("RUN_RELAY") or "true").lower() not in ("0", "false", "no"),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    def with_secret_key(self) -> Settings:
        """The secret key from the environment, else from the instance dir, else a new one kept there."""
        if self.secret_key:
            return self
        path = self.instance_dir / "secret_key"
        if path.exists():
            key = path.read_text().strip()
        else:
            self.instance_dir.mkdir(parents=True, exist_ok=True)
            key = secrets.token_urlsafe(48)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(key)
        return replace(self, secret_key=key)
