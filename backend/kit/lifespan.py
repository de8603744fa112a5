"""The app's own start and stop, run inside the plugins' lifespans rather than around them.

Litestar exits the plugins' lifespan contexts (the ChannelsPlugin's publisher and subscriber workers among them)
before it calls the app's ``on_shutdown`` hooks. Our background loops (the outbox relay, the tracker, the fan-out)
publish to channels until they stop, so stopping them in ``on_shutdown`` let them publish into a plugin that had
already shut down: Litestar's publisher then failed on its emptied queue ('NoneType' object has no attribute
'task_done') and the relay logged "Plugin not yet initialized" in test tear-downs. Listed after the channels
plugin, this plugin's context is entered after it and exited before it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from litestar.plugins import InitPluginProtocol

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.config.app import AppConfig


class ServicesPlugin(InitPluginProtocol):
    """Runs ``start`` once the plugins listed before it have started, and ``stop`` before they stop (also when
    ``start`` fails part way, so whatever it started is stopped)."""

    def __init__(self, start: Callable[[], Awaitable[None]], stop: Callable[[], Awaitable[None]]) -> None:
        self.start = start
        self.stop = stop

    @asynccontextmanager
    async def _lifespan(self, _app: Litestar) -> AsyncIterator[None]:
        try:
            await self.start()
            yield
        finally:
            await self.stop()

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.lifespan.append(self._lifespan)
        return app_config
