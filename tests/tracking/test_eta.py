"""The ETA engine: legs, service, waiting for windows, the dwell in progress, the window, the speed factor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from backend.tracking.eta import EtaWindow, RemainingStop, SpeedFactor, estimate, moved

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def stop(
    service_s: int = 120,
    *,
    window_start_at: datetime | None = None,
    window_end_at: datetime | None = None,
    arrived_at: datetime | None = None,
) -> RemainingStop:
    return RemainingStop(
        stop_id=uuid4(),
        order_id=uuid4(),
        lat=52.5,
        lon=13.4,
        service_s=service_s,
        window_start_at=window_start_at,
        window_end_at=window_end_at,
        arrived_at=arrived_at,
    )


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


def test_legs_and_service_times_add_up_in_plan_order() -> None:
    stops = [stop(service_s=120), stop(service_s=300), stop(service_s=60)]
    etas = estimate(now=NOW, stops=stops, leg_s=[600, 300, 900])
    assert [eta.eta_at for eta in etas] == [at(10), at(17), at(37)]
    assert [eta.departure_at for eta in etas] == [at(12), at(22), at(38)]
    assert [eta.stop_id for eta in etas] == [s.stop_id for s in stops]
    assert [eta.order_id for eta in etas] == [s.order_id for s in stops]
    assert all(eta.wait_s == 0 for eta in etas)


def test_an_early_arrival_waits_for_the_window_and_delays_the_rest() -> None:
    stops = [stop(service_s=120, window_start_at=at(30), window_end_at=at(60)), stop(service_s=60)]
    first, second = estimate(now=NOW, stops=stops, leg_s=[600, 300])
    assert first.eta_at == at(10)
    assert first.wait_s == 20 * 60
    assert first.departure_at == at(32)  # service starts when the window opens
    assert second.eta_at == at(37)


def test_a_window_already_open_costs_no_wait() -> None:
    (only,) = estimate(now=NOW, stops=[stop(window_start_at=at(-30), window_end_at=at(30))], leg_s=[600])
    assert only.wait_s == 0
    assert only.departure_at == at(12)


def test_a_late_arrival_is_not_clipped_to_the_window() -> None:
    (only,) = estimate(now=NOW, stops=[stop(window_start_at=at(0), window_end_at=at(20))], leg_s=[3600])
    assert only.eta_at == at(60)
    assert only.latest_at > only.eta_at > at(20)


def test_the_dwell_at_the_current_stop_delays_every_later_eta() -> None:
    arrived = stop(service_s=600, arrived_at=at(-2))
    etas = estimate(now=NOW, stops=[arrived, stop(service_s=60), stop()], leg_s=[999, 300, 300])
    assert etas[0].eta_at == at(-2)  # the arrival is a fact; its leg is not driven again
    assert etas[0].departure_at == at(8)  # 8 of the 10 min of service remain
    assert etas[1].eta_at == at(13)
    assert etas[2].eta_at == at(19)
    assert etas[0].earliest_at == etas[0].latest_at == at(-2)


def test_a_dwell_overrunning_its_service_time_leaves_no_earlier_than_now() -> None:
    etas = estimate(now=NOW, stops=[stop(service_s=60, arrived_at=at(-10)), stop()], leg_s=[0, 300])
    assert etas[0].departure_at == NOW
    assert etas[1].eta_at == at(5)


def test_a_driver_dwelling_before_the_window_opens_waits_for_it() -> None:
    arrived = stop(service_s=120, arrived_at=at(-5), window_start_at=at(10))
    first, second = estimate(now=NOW, stops=[arrived, stop()], leg_s=[0, 60])
    assert first.wait_s == 15 * 60
    assert first.departure_at == at(12)
    assert second.eta_at == at(13)


def test_the_speed_factor_scales_every_leg_but_not_service() -> None:
    stops = [stop(service_s=120), stop(service_s=120)]
    plain = estimate(now=NOW, stops=stops, leg_s=[600, 600])
    slow = estimate(now=NOW, stops=stops, leg_s=[600, 600], speed_factor=1.5)
    assert [eta.eta_at for eta in plain] == [at(10), at(22)]
    assert [eta.eta_at for eta in slow] == [at(15), at(32)]


def test_the_window_widens_with_the_horizon_and_is_capped() -> None:
    stops = [stop(service_s=0) for _ in range(4)]
    etas = estimate(now=NOW, stops=stops, leg_s=[0, 3600, 3600, 4 * 3600])
    half_widths = [(eta.latest_at - eta.eta_at).total_seconds() for eta in etas]
    assert half_widths == [120, 720, 1320, 1800]  # base, +10 min/h, then the 30-min cap
    assert etas[0].earliest_at == NOW  # never earlier than now
    assert etas[1].earliest_at == etas[1].eta_at - timedelta(seconds=720)


def test_a_custom_window() -> None:
    window = EtaWindow(base_s=60, per_hour_s=120, max_s=300)
    assert window.half_width_s(0) == 60
    assert window.half_width_s(1800) == 120
    assert window.half_width_s(10 * 3600) == 300
    (only,) = estimate(now=NOW, stops=[stop()], leg_s=[1800], window=window)
    assert only.latest_at - only.eta_at == timedelta(seconds=120)


def test_no_stops_no_etas() -> None:
    assert estimate(now=NOW, stops=[], leg_s=[]) == []


@pytest.mark.parametrize(
    ("leg_s", "speed_factor", "now"),
    [
        ([600], 1.0, NOW),  # one leg short
        ([600, 600, 600], 1.0, NOW),  # one leg too many
        ([600, -1], 1.0, NOW),
        ([600, float("nan")], 1.0, NOW),
        ([600, 600], 0.0, NOW),
        ([600, 600], 1.0, NOW.replace(tzinfo=None)),
    ],
)
def test_bad_input_is_refused(leg_s: list[float], speed_factor: float, now: datetime) -> None:
    with pytest.raises(ValueError):
        estimate(now=now, stops=[stop(), stop()], leg_s=leg_s, speed_factor=speed_factor)


def test_speed_factor_converges_to_a_consistent_ratio() -> None:
    factor = SpeedFactor()
    for _ in range(30):
        value = factor.observe(predicted_s=600, observed_s=780)
    assert value == factor.value == pytest.approx(1.3, abs=1e-3)
    assert factor.samples == 30


def test_speed_factor_blends_with_alpha() -> None:
    factor = SpeedFactor(alpha=0.5)
    assert factor.observe(predicted_s=100, observed_s=200) == pytest.approx(1.5)
    assert factor.observe(predicted_s=100, observed_s=100) == pytest.approx(1.25)


@pytest.mark.parametrize(("predicted_s", "observed_s"), [(30, 300), (59.9, 120), (0, 100), (-100, 100), (600, 0)])
def test_speed_factor_ignores_short_and_nonsensical_legs(predicted_s: float, observed_s: float) -> None:
    factor = SpeedFactor()
    assert factor.observe(predicted_s=predicted_s, observed_s=observed_s) == 1.0
    assert factor.samples == 0


def test_speed_factor_stays_clamped() -> None:
    factor = SpeedFactor(alpha=1.0)
    assert factor.observe(predicted_s=60, observed_s=6000) == 2.5
    assert factor.observe(predicted_s=6000, observed_s=60) == 0.5
    slow = SpeedFactor()
    for _ in range(100):
        slow.observe(predicted_s=100, observed_s=10_000)
    assert 0.5 <= slow.value <= 2.5
    assert slow.value == pytest.approx(2.5)


def test_speed_factor_refuses_a_start_outside_its_bounds() -> None:
    with pytest.raises(ValueError):
        SpeedFactor(value=3.0)


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (None, NOW, True),
        (NOW, NOW, False),
        (NOW, NOW + timedelta(seconds=59), False),
        (NOW, NOW + timedelta(seconds=60), True),
        (NOW, NOW - timedelta(seconds=60), True),
        (NOW, NOW - timedelta(seconds=30), False),
    ],
)
def test_moved_publishes_moves_of_a_minute_or_more(
    previous: datetime | None, current: datetime, expected: bool
) -> None:
    assert moved(previous, current) is expected


def test_moved_with_a_custom_threshold() -> None:
    assert moved(NOW, NOW + timedelta(seconds=30), threshold_s=30)
    assert not moved(NOW, NOW + timedelta(seconds=29), threshold_s=30)


def test_a_break_on_the_way_delays_the_stop_and_every_one_after_it() -> None:
    lunch = RemainingStop(
        stop_id=uuid4(), order_id=uuid4(), lat=52.5, lon=13.4, service_s=120, break_s=1800, break_from=at(30)
    )
    etas = estimate(now=NOW, stops=[stop(service_s=120), lunch, stop(service_s=60)], leg_s=[600, 300, 900])
    # done at the first stop 9:12; the break does not start before 9:30 (the plan's time): 9:30-10:00
    assert etas[1].eta_at == at(60)
    assert etas[2].eta_at == at(60 + 2 + 15)
    # a driver behind the plan takes it on the way: the stop is reached the break's length later
    late = estimate(now=at(40), stops=[stop(service_s=120), lunch], leg_s=[600, 300])
    assert len(late) == 2 and late[1].eta_at == at(40 + 10 + 2 + 5 + 30)
