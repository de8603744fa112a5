"""The app's loops stop while the channels plugin still runs: on both stacks (memory and Redis channels)."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from backend.events.channels import PrunedChannelsPlugin
from backend.kit.lifespan import ServicesPlugin


def test_the_apps_loops_stop_before_the_channels_plugin_and_can_still_publish(app: Litestar) -> None:
    services = app.plugins.get(ServicesPlugin)
    channels = app.plugins.get(PrunedChannelsPlugin)
    stop = services.stop
    seen: list[str] = []

    async def stop_after_a_last_publish() -> None:
        try:
            channels.publish({"type": "bye"}, "org:lifespan-test")  # what the relay does when its last pass ends
            seen.append("published")
        except RuntimeError as error:  # Litestar: "Plugin not yet initialized" once its lifespan has exited
            seen.append(f"refused: {error}")
        await stop()

    services.stop = stop_after_a_last_publish
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
    assert seen == ["published"]


def test_a_start_that_fails_part_way_still_stops_what_it_started() -> None:
    import asyncio
    from contextlib import AsyncExitStack

    calls: list[str] = []

    async def start() -> None:
        calls.append("start")
        raise RuntimeError("database not migrated")

    async def stop() -> None:
        calls.append("stop")

    plugin = ServicesPlugin(start, stop)

    async def run() -> None:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(plugin._lifespan(None))  # type: ignore[arg-type]

    try:
        asyncio.run(run())
    except RuntimeError as error:
        assert "not migrated" in str(error)
    else:
        raise AssertionError("the start's error must reach the server")
    assert calls == ["start", "stop"]
