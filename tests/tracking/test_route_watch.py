"""What a process's tracker does with its organization's channel: a route event marks that driver's route stale
(the other frames, positions mostly, and frames it cannot read change nothing), and the safety-net reload and
ETA passes are due at jittered times."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from backend.accounts.models import Role
from backend.accounts.principal import Principal
from backend.kit.clock import utcnow
from backend.tracking.live import ETA_SPREAD, RELOAD_SPREAD, ROUTE_RELOAD_S, DriverState, LiveTracker
from tests.tracking.conftest import DEPOT, Day, drive


def _event(kind: str, driver_id: object) -> bytes:
    return json.dumps(
        {"type": "event", "seq": "1", "data": {"type": kind, "payload": {"driver_id": str(driver_id)}}}
    ).encode()


def _driving(day: Day) -> tuple[LiveTracker, UUID, UUID]:
    """The tracker once the day's driver has sent a position: (tracker, the driver's id, the organization's id)."""
    tracker: LiveTracker = day.driver.client.app.state["tracker"]
    drive(day, [DEPOT], utcnow() - timedelta(seconds=5))
    return tracker, day.tenant.users[Role.driver].id, day.tenant.organization.id


def test_route_events_on_the_organization_channel_mark_only_that_drivers_route_stale(day: Day) -> None:
    tracker, driver_id, organization_id = _driving(day)
    state = tracker._drivers[driver_id]
    assert not state.stale

    for harmless in (
        json.dumps({"type": "position", "seq": 1, "data": {"driver_id": str(driver_id)}}).encode(),
        b"\xff not json",
        b'{"type": "event", "data": "not an object"}',
        b"[]",
        _event("order.created", driver_id),  # not a route event
        _event("stop.completed", uuid4()),  # somebody else's route
    ):
        tracker.on_org_frame(organization_id, harmless)
        assert not state.stale, harmless
    tracker.on_org_frame(uuid4(), _event("stop.completed", driver_id))  # another organization's channel
    assert not state.stale

    tracker.on_org_frame(organization_id, _event("stop.completed", driver_id))
    assert state.stale


def test_reloads_and_eta_passes_are_due_at_jittered_times(day: Day) -> None:
    client = day.driver.client
    tracker: LiveTracker = client.app.state["tracker"]
    drive(day, [DEPOT], utcnow() - timedelta(seconds=5))
    state = tracker._drivers[day.tenant.users[Role.driver].id]
    eta_interval_s = client.app.state["settings"].eta_interval_s

    async def schedule() -> tuple[float, float, float]:
        state.stale = True
        await tracker._ensure_route(state)
        await tracker._update_etas(state)
        return asyncio.get_running_loop().time(), state.reload_at, state.eta_due_at

    draws = [client.blocking_portal.call(schedule) for _ in range(12)]
    reloads = [reload_at - now for now, reload_at, _ in draws]
    etas = [eta_at - now for now, _, eta_at in draws]
    low, high = (ROUTE_RELOAD_S * share for share in RELOAD_SPREAD)
    assert all(low - 1 <= r <= high for r in reloads), reloads
    assert all(eta_interval_s * ETA_SPREAD[0] - 1 <= e <= eta_interval_s * ETA_SPREAD[1] for e in etas), etas
    assert len({round(r, 3) for r in reloads}) > 1 and len({round(e, 3) for e in etas}) > 1  # not one period


def test_a_route_event_during_a_reload_leaves_the_route_stale(day: Day, monkeypatch: Any) -> None:
    """The reload may have read the route before the change it was told about committed: it reads again."""
    from backend.tracking import repository

    client = day.driver.client
    tracker: LiveTracker = client.app.state["tracker"]
    drive(day, [DEPOT], utcnow() - timedelta(seconds=5))
    driver_id = day.tenant.users[Role.driver].id
    state = tracker._drivers[driver_id]
    read = repository.route_in_progress

    async def read_then_hear_of_a_change(*args: Any, **kwargs: Any) -> Any:
        route = await read(*args, **kwargs)
        tracker.on_org_frame(day.tenant.organization.id, _event("stop.completed", driver_id))
        return route

    monkeypatch.setattr(repository, "route_in_progress", read_then_hear_of_a_change)
    state.stale = True
    client.blocking_portal.call(tracker._ensure_route, state)
    assert state.stale  # read again at the next point
    monkeypatch.setattr(repository, "route_in_progress", read)
    client.blocking_portal.call(tracker._ensure_route, state)
    assert not state.stale


def test_a_re_plan_marks_stale_only_the_routes_it_rewrote(day: Day) -> None:
    tracker, driver_id, organization_id = _driving(day)
    other_id = uuid4()  # a second driver of the organization, served by this process too
    tracker._drivers[other_id] = DriverState(
        principal=Principal(organization_id=organization_id, role=Role.driver, via="session", user_id=other_id)
    )
    states = {driver_id: tracker._drivers[driver_id], other_id: tracker._drivers[other_id]}

    def revised(payload: dict[str, Any]) -> set[object]:
        for state in states.values():
            state.stale = False
        frame = {"type": "event", "seq": "1", "data": {"type": "plan.revised", "payload": payload}}
        tracker.on_org_frame(organization_id, json.dumps(frame).encode())
        return {user_id for user_id, state in states.items() if state.stale}

    assert revised({"routes": [{"route_id": str(uuid4()), "driver_id": str(driver_id)}]}) == {driver_id}
    assert revised({"routes": [{"route_id": str(uuid4()), "driver_id": None}, "not a route"]}) == set()
    assert revised({"routes": []}) == set()  # nothing was rewritten
    assert revised({"revision": 3}) == {driver_id, other_id}  # a revision that does not say: every route
