"""The app factory: every controller, plugin, middleware and exception handler, listed once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.config.compression import CompressionConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from backend.accounts.api import (
    ApiKeyController,
    AuthController,
    OrganizationController,
    UserController,
    login_rate_limit,
)
from backend.accounts.auth import AuthenticationMiddleware, provide_principal
from backend.analytics.api import AnalyticsController
from backend.carriers.api import CarrierLinkController, CarrierOrdersController
from backend.carriers.service import on_event as assign_to_carriers
from backend.db.engine import create_engine, create_session_factory
from backend.db.migrations import ensure_migrated
from backend.db.session import COMMIT_LISTENERS_KEY, SESSION_FACTORY_KEY, provide_db_session
from backend.events.api import EventController
from backend.events.channels import PrunedChannelsPlugin
from backend.events.fanout import FANOUT_KEY, FanOut
from backend.events.relay import OutboxRelay
from backend.events.socket import dispatch_socket
from backend.fleet.api import VehicleController
from backend.inbox.api import InboxController
from backend.integrations.api import SENDER_KEY as WEBHOOK_SENDER_KEY
from backend.integrations.api import WebhookController
from backend.integrations.repository import purge_deliveries
from backend.integrations.sender import WebhookSender
from backend.inventory.api import SkuController, StockController
from backend.kit.gc_tuning import Reclaimer, tune_for_server
from backend.kit.health import health
from backend.kit.lifespan import ServicesPlugin
from backend.kit.logging import RequestLogMiddleware, configure_logging
from backend.kit.nul_guard import NulGuardMiddleware
from backend.kit.problems import handle_exception
from backend.kit.retention import PurgeJob, Retention
from backend.kit.security_headers import SecurityHeadersMiddleware
from backend.kit.spa import PWA_DIST, assets_router, index, shell
from backend.kit.websocket import WebSocket
from backend.notifications.api import SENDER_KEY as NOTIFICATION_SENDER_KEY
from backend.notifications.api import NotificationController, push_status, subscribe_push, unsubscribe_push
from backend.notifications.repository import purge_notifications, purge_push_subscriptions
from backend.notifications.sender import NotificationSender
from backend.orders.api import OrderController
from backend.places.api import LocationController, ZoneController
from backend.proof.api import MEDIA_STORE_KEY, MediaController, ProofController, tracking_media
from backend.proof.storage import MediaStore
from backend.returns.api import ReturnController, put_return_photo, return_options, return_qr, start_return
from backend.routing.api import DrivingController, PlanController, RouteController
from backend.routing.travel import StraightLineTravelTimes, provider_from_settings
from backend.routing.triggers import Replanner
from backend.routing.triggers import event_handler as replan_on_event
from backend.settings import Settings
from backend.stores.api import StoreController, customer_here, pickup_qr, store_socket
from backend.stores.keeper import PickupKeeper
from backend.sync.api import SyncController
from backend.sync.retention import purge_commands
from backend.tracking.api import TRACKER_KEY, PositionController, TrackingController, tracking_rate_limit
from backend.tracking.live import LiveTracker
from backend.tracking.repository import purge_positions
from backend.tracking.socket import driver_socket, track_socket

SUBSCRIBER_MAX_BACKLOG = 1_000  # a slow websocket client loses its oldest frames past this, never stalls the rest


class DispatchMetrics(PrometheusController):
    path = "/metrics"


def create_app(
    settings: Settings | None = None, *, check_migrations: bool = True, pwa_dist: Path = PWA_DIST, server: bool = False
) -> Litestar:
    """The app. `server=True` is for a long-running server process: it tunes the garbage collector once started
    (kit/gc_tuning.py); tests leave it off, as they make many apps in one process."""
    settings = (settings or Settings.from_env()).with_secret_key()
    configure_logging(settings.log_level)
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)

    redis: Any = None
    stores: dict[str, Store]
    if settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
        channels_backend: Any = RedisChannelsPubSubBackend(redis=redis, key_prefix=f"{settings.redis_namespace}:ch")
        stores = {
            "rate_limit": RedisStore(redis, namespace=f"{settings.redis_namespace}:rate_limit"),
            "tracking_rate_limit": RedisStore(redis, namespace=f"{settings.redis_namespace}:tracking_rate_limit"),
        }
    else:
        channels_backend = MemoryChannelsBackend()
        stores = {"rate_limit": MemoryStore(), "tracking_rate_limit": MemoryStore()}
    channels = PrunedChannelsPlugin(
        backend=channels_backend,
        arbitrary_channels_allowed=True,
        subscriber_max_backlog=SUBSCRIBER_MAX_BACKLOG,
        subscriber_backlog_strategy="dropleft",
    )
    relay = OutboxRelay(
        session_factory=session_factory,
        channels=channels,
        poll_s=settings.relay_poll_s,
        lock_rows=not settings.is_sqlite,
    )
    travel = provider_from_settings(settings)
    fallback = StraightLineTravelTimes()
    commit_listeners: list[Any] = [relay.wake]
    replanner = Replanner(
        session_factory=session_factory,
        travel=travel,
        fallback=fallback,
        debounce_s=settings.replan_debounce_s,
        resolve_timeout_s=settings.replan_timeout_s,
        max_moved=settings.replan_max_moved,
        channels=channels,
        on_commit=commit_listeners,
    )
    if settings.live_replanning:
        relay.register(replan_on_event(replanner))
    tracker = LiveTracker(
        session_factory=session_factory,
        channels=channels,
        travel=travel,
        fallback=fallback,
        settings=settings,
        redis=redis,
        on_commit=commit_listeners,
    )
    relay.register(tracker.event_handler())
    fanout = FanOut(channels)  # customers' and dispatchers' sockets
    media_store = MediaStore(settings.media_dir)
    retention = Retention(
        session_factory,
        [
            PurgeJob("positions", settings.position_retention_days, purge_positions),
            PurgeJob("sync_commands", settings.sync_key_retention_days, purge_commands),
            PurgeJob("notifications", settings.notification_retention_days, purge_notifications),
            PurgeJob("push_subscriptions", settings.notification_retention_days, purge_push_subscriptions),
            PurgeJob("webhook_deliveries", settings.webhook_log_retention_days, purge_deliveries),
        ],
    )
    pickup_keeper = PickupKeeper(session_factory, channels, settings)
    relay.register(pickup_keeper.event_handler())
    notification_sender = NotificationSender(session_factory, settings, lock_rows=not settings.is_sqlite)
    relay.register(notification_sender.event_handler())
    webhook_sender = WebhookSender(
        session_factory,
        retry_window=timedelta(hours=settings.webhook_retry_hours),
        timeout_s=settings.webhook_timeout_s,
        allow_private=settings.webhook_allow_private,
        skip_locked=not settings.is_sqlite,
    )
    relay.register(webhook_sender.event_handler())
    relay.register(assign_to_carriers)  # new orders matching a carrier rule go to that carrier
    state = State(
        {
            "settings": settings,
            "db_engine": engine,
            SESSION_FACTORY_KEY: session_factory,
            COMMIT_LISTENERS_KEY: commit_listeners,
            "relay": relay,
            "redis": redis,
            "pwa_dist": pwa_dist,
            "travel": travel,
            "travel_fallback": fallback,
            "replanner": replanner,
            TRACKER_KEY: tracker,
            FANOUT_KEY: fanout,
            MEDIA_STORE_KEY: media_store,
            "retention": retention,
            "pickup_keeper": pickup_keeper,
            NOTIFICATION_SENDER_KEY: notification_sender,
            WEBHOOK_SENDER_KEY: webhook_sender,
        }
    )

    reclaimer = Reclaimer()

    async def on_startup() -> None:
        if check_migrations:
            await ensure_migrated(engine, settings.database_url)
        if settings.run_relay:
            relay.start()
        tracker.start()
        media_store.sweep_temporaries()
        retention.start()
        pickup_keeper.start()
        notification_sender.start()
        webhook_sender.start()
        if server:
            tune_for_server()
            reclaimer.start()

    async def on_shutdown() -> None:
        await reclaimer.stop()
        await relay.stop()
        await replanner.stop()
        await tracker.stop()
        await fanout.stop()
        await retention.stop()
        await pickup_keeper.stop()
        await notification_sender.stop()
        await webhook_sender.stop()
        await engine.dispose()
        if redis is not None:
            await redis.aclose()

    services = ServicesPlugin(on_startup, on_shutdown)
    return Litestar(
        route_handlers=[
            # accounts
            AuthController,
            OrganizationController,
            UserController,
            ApiKeyController,
            # places, fleet
            LocationController,
            ZoneController,
            VehicleController,
            # inventory
            SkuController,
            StockController,
            # orders, routing
            OrderController,
            PlanController,
            RouteController,
            DrivingController,
            # tracking
            PositionController,
            TrackingController,
            driver_socket,
            track_socket,
            # proof of delivery, offline sync
            MediaController,
            ProofController,
            tracking_media,
            SyncController,
            # stores: the counter, its live screen, the customer's pickup
            StoreController,
            store_socket,
            pickup_qr,
            customer_here,
            # returns: the customer's side and the counter's
            ReturnController,
            return_options,
            start_return,
            put_return_photo,
            return_qr,
            # notifications: the office's settings and delivery log, the customer's push subscription
            NotificationController,
            push_status,
            subscribe_push,
            unsubscribe_push,
            # outbound webhooks (administrators)
            WebhookController,
            # carriers: the shipper's carriers and rules, and the carrier's view and status updates
            CarrierLinkController,
            CarrierOrdersController,
            # analytics: the KPIs and their CSV export
            AnalyticsController,
            # the dispatcher's exceptions inbox: what needs a person today, and marking it handled
            InboxController,
            # events
            EventController,
            dispatch_socket,
            # operations
            health,
            DispatchMetrics,
            # the PWA (last: its catch-all only gets what nothing above claims)
            assets_router(pwa_dist),
            index,
            shell,
        ],
        # the app's loops start after the channels plugin and stop before it (they publish until they stop)
        plugins=[channels, services],
        middleware=[
            RequestLogMiddleware(),
            SecurityHeadersMiddleware(hsts=not settings.is_dev),
            NulGuardMiddleware(),
            # HTTP only: a socket's "request" lasts as long as the connection, and wrapping each of its frames cost CPU
            PrometheusConfig(
                app_name="doorstep", prefix="doorstep", group_path=True, scopes={ScopeType.HTTP}
            ).middleware,
            login_rate_limit(settings).middleware,
            tracking_rate_limit(settings).middleware,
            AuthenticationMiddleware(settings),
        ],
        dependencies={
            "db_session": Provide(provide_db_session),
            "principal": Provide(provide_principal, sync_to_thread=False),
        },
        exception_handlers={Exception: handle_exception},
        # gzip for the PWA's code and the API's JSON (a phone on 3G moves a third of the bytes); not for photos
        # (already compressed) nor for the auth answers, which carry the CSRF token (BREACH)
        compression_config=CompressionConfig(
            backend="gzip",
            gzip_compress_level=6,
            minimum_size=1024,
            exclude=["/api/media", "/api/auth", "/api/track/.*/media"],
        ),
        cors_config=CORSConfig(allow_origins=list(settings.cors_origins), allow_credentials=True)
        if settings.cors_origins
        else None,
        stores=stores,
        state=state,
        websocket_class=WebSocket,  # a closed connection is freed at once, not at the next full collection
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="Doorstep API",
            version="0.1.0",
            description=(
                "Last-mile delivery: orders, fleet, places, routes and events. Authenticate with the session "
                "cookie from POST /api/auth/login (send its csrf_token as X-CSRF-Token on writes) or with an "
                "API key in X-API-Key / Authorization: Bearer. Errors are RFC 9457 problem details."
            ),
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(type="apiKey", name="X-API-Key", security_scheme_in="header"),
                    "session": SecurityScheme(type="apiKey", name="doorstep_session", security_scheme_in="cookie"),
                }
            ),
            security=[{"apiKey": []}, {"session": []}],
        ),
        debug=False,
    )


def create_server_app() -> Litestar:
    """uvicorn's factory for `doorstep serve` and `doorstep demo`: settings from the environment, as a server."""
    return create_app(server=True)
