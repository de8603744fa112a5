"""Delivery KPIs against figures worked out by hand on a fixed data set, in total and by day, driver, zone,
vehicle profile and carrier; another organization's rows never count; bad periods are problems; the CSV says
what the JSON says and defuses formulas; a day driven through the API gives the figures its stops imply.

The data set (Europe/Helsinki, UTC+2 in early March; every clock time below is local):

  zones: Centre (lat 60.15-60.18, lon 24.90-24.96), North (lat 60.18-60.25, lon 24.90-25.00); C, N, X = a point
  in Centre, in North, in neither. The store is in Centre.

  2026-03-01  R0  Van A, driver 1, 08:00-09:00, 10 km: O14 (C) failed at 08:30 (its first attempt: before)
  2026-03-02  R1  Van A, driver 1, 08:00-12:00 (4 h), 42 km
      s1 O1 (C) window 08-10, plan 08:30, shown 08:40, arrived 08:45, delivered 08:50
      s2 O2 (C) window 09-10, plan 09:10, shown 09:20, arrived 10:04, delivered 10:06 (4 min late: in grace)
      s3 O3 (N) no window, plan 10:20, shown 10:30, arrived 10:36, failed 10:38
      s4 O4 (N) window 10-11, plan 11:00, nothing shown, never "arrived", delivered 11:30 (late)
         (and O4's depot leg: a pickup stop at 08:05, which is no visit)
      s5 O5 (X) window 11-12, plan 11:40, shown 11:45, arrived 11:50, delivered 11:55
      s6 O14 (C) no window, plan 09:40, nothing shown, arrived 09:45, delivered 09:50 (its second attempt)
  2026-03-02  R2  Bike B, driver 2 (named "=HYPERLINK(...)"), 08:30 - still out, last stop done 11:00 (2.5 h), 9 km
      s7 O7 (C) window 09-12, plan 09:30, shown 09:35, arrived 08:50 (early: before 08:55), delivered 09:05
      s8 RET8 (N) a return collected: no window, plan 10:30, shown 10:40, arrived 10:50, done 11:00
      s9 O9 (C) window 09-12, still pending: counts nowhere
  2026-03-03  R3  Van A, driver 1, 08:00-11:00 (3 h), 30 km
      s10 O3 (N) re-attempt, no window, plan 08:40, shown 08:45, arrived 08:50, delivered 08:55
      s11 O11 (C) window 09-10, plan 09:30, shown 09:20, arrived 09:25, failed 09:30
      s12 O12 (C) a store transfer dropped at the store: plan 09:50, arrived 09:55, done 10:00
  a draft route on 2026-03-03 with a pending stop: counts nowhere

  return requests: RR1 for O1 (C) at 2026-03-02 00:30 (22:30 UTC the day before: still the 2nd locally),
  RR2 for O7 (N) at 2026-03-03 09:00; outside the period: RET8's own (02-27) and one at 2026-03-04 00:30;
  an expired pickup's way back (a return order with no request) is no customer return
  pickups handed over: P1 ready 03-01 10:00 -> 03-02 10:00 (24 h), P2 03-02 09:00 -> 11:00 (2 h),
  P3 03-03 08:00 -> 09:30 (1.5 h); P4 handed over 03-04: outside
"""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts.models import Role, User
from backend.analytics import export, service
from backend.analytics.rows import Dataset, PickupRow, RouteRow, Visit
from backend.analytics.schemas import Grouping
from backend.fleet.models import Vehicle, VehicleProfile
from backend.kit.spreadsheet import text_cell
from backend.orders.models import Order, OrderKind, OrderStatus
from backend.places.models import Location, LocationKind, Zone
from backend.returns.models import ReturnMethod, ReturnRequest
from backend.routing.models import Route, RouteStatus, Stop, StopKind, StopStatus
from backend.stores.models import Pickup
from tests.factories import Api, Tenant, make_order, make_tenant, run_in_app, sign_in

HELSINKI = ZoneInfo("Europe/Helsinki")
DAY0, DAY1, DAY2 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
CENTRE, NORTH, OUTSIDE = (60.17, 24.94), (60.20, 24.95), (60.10, 24.80)
STORE = (60.168, 24.93)
FORMULA_NAME = '=HYPERLINK("http://evil.example","Bob")'


def at(day: date, clock: str) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime.combine(day, time(hour, minute), HELSINKI).astimezone(UTC)


def box(lat0: float, lat1: float, lon0: float, lon1: float) -> dict[str, Any]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


class Builder:
    """Rows straight into the tables, with the exact times the hand arithmetic uses."""

    def __init__(self, session: AsyncSession, organization_id: UUID) -> None:
        self.session = session
        self.organization_id = organization_id
        self.pending: list[tuple[Order, Order, datetime, str]] = []  # return requests, made once the orders exist

    def add(self, row: Any) -> Any:
        self.session.add(row)
        return row

    async def flush(self) -> None:
        await self.session.flush()

    def order(
        self,
        name: str,
        point: tuple[float, float],
        kind: OrderKind = OrderKind.delivery,
        window: tuple[datetime, datetime] | None = None,
        status: OrderStatus = OrderStatus.delivered,
    ) -> Order:
        return self.add(
            Order(
                organization_id=self.organization_id,
                kind=kind,
                status=status,
                external_ref=name,
                recipient_name=f"Recipient {name}",
                address=f"{name} street 1",
                lat=point[0],
                lon=point[1],
                window_start_at=window[0] if window else None,
                window_end_at=window[1] if window else None,
                tracking_token_hash=secrets.token_hex(32),
            )
        )

    def route(
        self,
        vehicle: Vehicle,
        driver: User | None,
        day: date,
        *,
        km: float,
        started: str | None,
        completed: str | None,
        status: RouteStatus = RouteStatus.completed,
    ) -> Route:
        return self.add(
            Route(
                organization_id=self.organization_id,
                vehicle_id=vehicle.id,
                driver_id=driver.id if driver else None,
                service_date=day,
                status=status,
                distance_m=km * 1000,
                started_at=at(day, started) if started else None,
                completed_at=at(day, completed) if completed else None,
            )
        )

    def stop(
        self,
        route: Route,
        sequence: int,
        order: Order | None,
        *,
        kind: StopKind = StopKind.delivery,
        status: StopStatus = StopStatus.completed,
        plan: str | None = None,
        shown: str | None = None,
        arrived: str | None = None,
        done: str | None = None,
    ) -> Stop:
        day = route.service_date
        return self.add(
            Stop(
                organization_id=self.organization_id,
                route_id=route.id,
                order_id=order.id if order else None,
                sequence=sequence,
                kind=kind,
                status=status,
                lat=order.lat if order else 60.16,
                lon=order.lon if order else 24.93,
                planned_arrival_at=at(day, plan) if plan else None,
                leg_start_eta_at=at(day, shown) if shown else None,
                arrived_at=at(day, arrived) if arrived else None,
                completed_at=at(day, done) if done else None,
            )
        )

    def return_request(self, original: Order, point: tuple[float, float], made_at: datetime, code: str) -> None:
        back = self.order(f"RET-{code}", point, kind=OrderKind.return_, status=OrderStatus.requested)
        self.pending.append((back, original, made_at, code))


async def build_day(session: AsyncSession, tenant: Tenant, second_driver_name: str) -> None:
    """The data set of the module docstring, in `tenant`'s organization."""
    b = Builder(session, tenant.organization.id)
    driver1 = tenant.users[Role.driver]
    driver2 = b.add(
        User(
            organization_id=tenant.organization.id,
            email=f"bike.{secrets.token_hex(4)}@example.com",
            name=second_driver_name,
            role=Role.driver,
            password_hash="-",
        )
    )
    b.add(
        Zone(organization_id=tenant.organization.id, name="North", geometry=box(60.18, 60.25, 24.90, 25.00), area_m2=1)
    )
    b.add(
        Zone(organization_id=tenant.organization.id, name="Centre", geometry=box(60.15, 60.18, 24.90, 24.96), area_m2=1)
    )
    store = b.add(
        Location(
            organization_id=tenant.organization.id,
            kind=LocationKind.store,
            name="Store",
            address="Store street 1",
            lat=STORE[0],
            lon=STORE[1],
        )
    )
    await b.flush()
    shift = {
        "capacity_kg": 500.0,
        "capacity_l": 3000.0,
        "capacity_parcels": 50,
        "shift_start": time(8),
        "shift_end": time(16),
    }
    van = b.add(
        Vehicle(
            organization_id=tenant.organization.id,
            name="Van A",
            profile=VehicleProfile.van,
            driver_id=driver1.id,
            **shift,
        )
    )
    bike = b.add(
        Vehicle(
            organization_id=tenant.organization.id,
            name="Bike B",
            profile=VehicleProfile.bike,
            driver_id=driver2.id,
            **shift,
        )
    )

    def window(day: date, start: str, end: str) -> tuple[datetime, datetime]:
        return at(day, start), at(day, end)

    o1 = b.order("O1", CENTRE, window=window(DAY1, "08:00", "10:00"))
    o2 = b.order("O2", CENTRE, window=window(DAY1, "09:00", "10:00"))
    o3 = b.order("O3", NORTH)
    o4 = b.order("O4", NORTH, window=window(DAY1, "10:00", "11:00"))
    o5 = b.order("O5", OUTSIDE, window=window(DAY1, "11:00", "12:00"))
    o7 = b.order("O7", CENTRE, window=window(DAY1, "09:00", "12:00"))
    ret8 = b.order("RET8", NORTH, kind=OrderKind.return_, status=OrderStatus.collected)
    o9 = b.order("O9", CENTRE, window=window(DAY1, "09:00", "12:00"), status=OrderStatus.out_for_delivery)
    o11 = b.order("O11", CENTRE, window=window(DAY2, "09:00", "10:00"), status=OrderStatus.failed)
    o12 = b.order("O12", CENTRE, kind=OrderKind.store_pickup, status=OrderStatus.at_store)
    o13 = b.order("O13", CENTRE, status=OrderStatus.created)
    o14 = b.order("O14", CENTRE)
    await b.flush()

    r0 = b.route(van, driver1, DAY0, km=10, started="08:00", completed="09:00")
    r1 = b.route(van, driver1, DAY1, km=42, started="08:00", completed="12:00")
    r2 = b.route(bike, driver2, DAY1, km=9, started="08:30", completed=None, status=RouteStatus.in_progress)
    r3 = b.route(van, driver1, DAY2, km=30, started="08:00", completed="11:00")
    draft = b.route(van, driver1, DAY2, km=99, started=None, completed=None, status=RouteStatus.draft)
    await b.flush()

    b.stop(r0, 1, o14, status=StopStatus.failed, plan="08:20", arrived="08:25", done="08:30")
    b.stop(r1, 0, None, kind=StopKind.start, plan="08:00", arrived="08:00", done="08:00")
    b.stop(r1, 1, o4, kind=StopKind.pickup, plan="08:05", arrived="08:05", done="08:05")  # the depot leg
    b.stop(r1, 2, o1, plan="08:30", shown="08:40", arrived="08:45", done="08:50")
    b.stop(r1, 3, o14, plan="09:40", arrived="09:45", done="09:50")
    b.stop(r1, 4, o2, plan="09:10", shown="09:20", arrived="10:04", done="10:06")
    b.stop(r1, 5, o3, status=StopStatus.failed, plan="10:20", shown="10:30", arrived="10:36", done="10:38")
    b.stop(r1, 6, o4, plan="11:00", done="11:30")
    b.stop(r1, 7, o5, plan="11:40", shown="11:45", arrived="11:50", done="11:55")
    b.stop(r1, 8, None, kind=StopKind.end, plan="12:00", arrived="12:00", done="12:00")
    b.stop(r2, 1, o7, plan="09:30", shown="09:35", arrived="08:50", done="09:05")
    b.stop(r2, 2, ret8, kind=StopKind.pickup, plan="10:30", shown="10:40", arrived="10:50", done="11:00")
    b.stop(r2, 3, o9, status=StopStatus.pending, plan="11:30")
    b.stop(r3, 1, o3, plan="08:40", shown="08:45", arrived="08:50", done="08:55")
    b.stop(r3, 2, o11, status=StopStatus.failed, plan="09:30", shown="09:20", arrived="09:25", done="09:30")
    b.stop(r3, 3, o12, plan="09:50", arrived="09:55", done="10:00")
    b.stop(draft, 1, o13, status=StopStatus.pending, plan="09:00")

    b.return_request(o1, CENTRE, at(DAY1, "00:30"), "RR1")
    b.return_request(o7, NORTH, at(DAY2, "09:00"), "RR2")
    b.return_request(o2, CENTRE, at(DAY2 + timedelta(days=1), "00:30"), "RRLATE")
    b.order("EXPIRED-BACK", STORE, kind=OrderKind.return_, status=OrderStatus.requested)
    await b.flush()
    for back, original, made_at, code in b.pending:
        b.add(
            ReturnRequest(
                organization_id=tenant.organization.id,
                return_order_id=back.id,
                original_order_id=original.id,
                method=ReturnMethod.pickup,
                reason="damaged",
                code=code[:8],
                created_at=made_at,
            )
        )
    b.add(
        ReturnRequest(
            organization_id=tenant.organization.id,
            return_order_id=ret8.id,
            original_order_id=o5.id,
            method=ReturnMethod.pickup,
            reason="other",
            code="RET8",
            created_at=at(date(2026, 2, 27), "12:00"),
        )
    )
    for n, (ready, handed) in enumerate(
        [
            (at(DAY0, "10:00"), at(DAY1, "10:00")),
            (at(DAY1, "09:00"), at(DAY1, "11:00")),
            (at(DAY2, "08:00"), at(DAY2, "09:30")),
            (at(DAY1, "12:00"), at(DAY2 + timedelta(days=1), "08:00")),
        ]
    ):
        picked = b.order(f"P{n + 1}", STORE, kind=OrderKind.store_pickup, status=OrderStatus.picked_up)
        await b.flush()
        b.add(
            Pickup(
                organization_id=tenant.organization.id,
                order_id=picked.id,
                store_id=store.id,
                code=f"CODE{n + 1}",
                ready_at=ready,
                handed_over_at=handed,
            )
        )
    await b.flush()


async def build_other(session: AsyncSession, tenant: Tenant) -> None:
    """Another organization's day: a delivery, a return and a pickup on the same dates, all in the same places."""
    b = Builder(session, tenant.organization.id)
    shift = {
        "capacity_kg": 500.0,
        "capacity_l": 3000.0,
        "capacity_parcels": 50,
        "shift_start": time(8),
        "shift_end": time(16),
    }
    van = b.add(Vehicle(organization_id=tenant.organization.id, name="Their van", profile=VehicleProfile.van, **shift))
    b.add(Zone(organization_id=tenant.organization.id, name="Theirs", geometry=box(60.0, 61.0, 24.0, 26.0), area_m2=1))
    store = b.add(
        Location(
            organization_id=tenant.organization.id,
            kind=LocationKind.store,
            name="S",
            address="S",
            lat=STORE[0],
            lon=STORE[1],
        )
    )
    theirs = b.order("THEIRS", CENTRE, window=(at(DAY1, "07:00"), at(DAY1, "08:00")))
    await b.flush()
    route = b.route(van, tenant.users[Role.driver], DAY1, km=500, started="07:00", completed="15:00")
    await b.flush()
    b.stop(route, 1, theirs, plan="08:00", shown="08:00", arrived="08:10", done="08:15")
    back = b.order("THEIR-RET", CENTRE, kind=OrderKind.return_, status=OrderStatus.requested)
    picked = b.order("THEIR-P", STORE, kind=OrderKind.store_pickup, status=OrderStatus.picked_up)
    await b.flush()
    b.add(
        ReturnRequest(
            organization_id=tenant.organization.id,
            return_order_id=back.id,
            original_order_id=theirs.id,
            method=ReturnMethod.pickup,
            reason="other",
            code="THEIRS",
            created_at=at(DAY1, "12:00"),
        )
    )
    b.add(
        Pickup(
            organization_id=tenant.organization.id,
            order_id=picked.id,
            store_id=store.id,
            code="THEIRS",
            ready_at=at(DAY1, "08:00"),
            handed_over_at=at(DAY1, "20:00"),
        )
    )
    await b.flush()


@pytest.fixture
def office(client: Any) -> tuple[Tenant, Api]:
    tenant = make_tenant(client, name="Doorstep Oy")
    other = make_tenant(client, name="Other Oy")
    run_in_app(client, build_day, tenant, FORMULA_NAME)
    run_in_app(client, build_other, other)
    return tenant, sign_in(client, tenant.users[Role.dispatcher])


def kpis(api: Api, by: str = "day", first: date = DAY1, last: date = DAY2) -> dict[str, Any]:
    response = api.get("/api/analytics/kpis", params={"from": first.isoformat(), "to": last.isoformat(), "by": by})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def groups(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {g["label"]: g for g in report["groups"]}


# -- the whole period ----------------------------------------------------------------------------------------


def test_the_period_totals_match_the_hand_computed_figures(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    report = kpis(api)
    assert report["from"] == "2026-03-02" and report["to"] == "2026-03-03" and report["timezone"] == "Europe/Helsinki"
    assert report["on_time_grace_min"] == 5.0 and report["co2_kg_per_km"]["van"] == 0.2
    t = report["totals"]
    # visits done: s1 s2 s4 s5 s6 s7 s8 s10 s12 (the depot leg, the start and end, pending s9, the draft: none)
    assert t["stops_completed"] == 9
    assert t["stops_failed"] == 2  # s3, s11
    # with a window and an arrival: s1 yes, s2 yes (10:04 <= 10:00 + 5), s4 no (11:30 > 11:05),
    # s5 yes, s7 no (08:50 < 09:00 - 5), s11 yes: 4 of 6
    assert (t["stops_with_window"], t["stops_on_time"], t["on_time_rate"]) == (6, 4, 0.6667)
    # first attempts in the period: O1 O2 O3(failed) O4 O5 O7 O11(failed); O14's first was on 03-01: 5 of 7
    assert (t["first_attempts"], t["first_attempt_successes"], t["first_attempt_rate"]) == (7, 5, 0.7143)
    # routes that started: R1 4 h + R2 2.5 h (to its last stop) + R3 3 h = 9.5 h; 9 visits done / 9.5 h = 0.947
    assert (t["routes"], t["route_hours"], t["stops_per_hour"]) == (3, 9.5, 0.95)
    # 42 + 9 + 30 = 81 km; CO2 = 42 x 0.2 + 9 x 0 + 30 x 0.2 = 14.4 kg
    assert (t["distance_km"], t["co2_kg"]) == (81.0, 14.4)
    # shown ETA vs arrival: s1 5, s2 44, s3 6, s5 5, s7 45, s8 10, s10 5, s11 5 -> 125 / 8 = 15.625;
    # sorted 5 5 5 5 6 10 44 45 -> median (5 + 6) / 2
    assert (t["eta_error_stops"], t["eta_error_mean_min"], t["eta_error_median_min"]) == (8, 15.6, 5.5)
    # plan vs arrival: s1 15, s2 54, s3 16, s4 30, s5 10, s6 5, s7 40, s8 20, s10 10, s11 5, s12 5 -> 210 / 11;
    # sorted 5 5 5 10 10 15 16 20 30 40 54 -> the 6th
    assert (t["plan_error_stops"], t["plan_error_mean_min"], t["plan_error_median_min"]) == (11, 19.1, 15.0)
    # delivered: O1 O2 O4 O5 O14 O7 O3 (not the return RET8, not the store transfer O12); returns RR1, RR2
    assert (t["deliveries"], t["returns"], t["returns_rate"]) == (7, 2, 0.2857)
    # pickups P1 24 h, P2 2 h, P3 1.5 h: median 2; p90 = the ceil(0.9 x 3) = 3rd smallest
    assert (t["pickups_handed_over"], t["pickup_wait_median_h"], t["pickup_wait_p90_h"]) == (3, 2.0, 24.0)


def test_by_day_each_day_has_its_own_figures(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    report = kpis(api, "day")
    assert [g["key"] for g in report["groups"]] == ["2026-03-02", "2026-03-03"]
    first, second = report["groups"]
    assert first["label"] == "2026-03-02"
    # 03-02: R1 and R2
    assert (first["stops_completed"], first["stops_failed"]) == (7, 1)
    assert (first["stops_with_window"], first["stops_on_time"], first["on_time_rate"]) == (5, 3, 0.6)
    assert (first["first_attempts"], first["first_attempt_successes"], first["first_attempt_rate"]) == (6, 5, 0.8333)
    # 4 h + 2.5 h; 7 / 6.5 = 1.077; 42 + 9 km; 42 x 0.2 kg
    assert (first["routes"], first["route_hours"], first["stops_per_hour"]) == (2, 6.5, 1.08)
    assert (first["distance_km"], first["co2_kg"]) == (51.0, 8.4)
    # ETA: 5 44 6 5 45 10 -> 115 / 6 = 19.17; sorted 5 5 6 10 44 45 -> (6 + 10) / 2
    assert (first["eta_error_mean_min"], first["eta_error_median_min"]) == (19.2, 8.0)
    # plan: 15 54 16 30 10 5 40 20 -> 190 / 8 = 23.75; sorted 5 10 15 16 20 30 40 54 -> (16 + 20) / 2
    assert (first["plan_error_mean_min"], first["plan_error_median_min"]) == (23.8, 18.0)
    # RR1 was made at 22:30 UTC on 03-01, which is 00:30 on 03-02 in Helsinki
    assert (first["deliveries"], first["returns"], first["returns_rate"]) == (6, 1, 0.1667)
    assert (first["pickups_handed_over"], first["pickup_wait_median_h"], first["pickup_wait_p90_h"]) == (2, 13.0, 24.0)
    # 03-03: R3
    assert (second["stops_completed"], second["stops_failed"], second["on_time_rate"]) == (2, 1, 1.0)
    assert (second["first_attempts"], second["first_attempt_rate"]) == (1, 0.0)  # O11; O3's first was on 03-02
    assert (second["routes"], second["route_hours"], second["stops_per_hour"]) == (1, 3.0, 0.67)
    assert (second["distance_km"], second["co2_kg"]) == (30.0, 6.0)
    assert (second["eta_error_mean_min"], second["eta_error_median_min"]) == (5.0, 5.0)
    assert (second["plan_error_mean_min"], second["plan_error_median_min"]) == (6.7, 5.0)  # 10 5 5
    assert (second["deliveries"], second["returns"], second["returns_rate"]) == (1, 1, 1.0)
    assert (second["pickups_handed_over"], second["pickup_wait_median_h"]) == (1, 1.5)


def test_by_day_lists_every_day_of_the_period_even_an_empty_one(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    report = kpis(api, "day", DAY2, DAY2 + timedelta(days=2))
    assert [g["key"] for g in report["groups"]] == ["2026-03-03", "2026-03-04", "2026-03-05"]
    empty = report["groups"][2]
    assert empty["stops_completed"] == 0 and empty["routes"] == 0 and empty["distance_km"] == 0.0
    assert empty["on_time_rate"] is None and empty["stops_per_hour"] is None and empty["returns_rate"] is None
    # P4 was handed over on 03-04 (ready 03-02 12:00 -> 03-04 08:00 = 44 h); RRLATE was made on 03-04
    assert report["groups"][1]["pickup_wait_median_h"] == 44.0 and report["groups"][1]["returns"] == 1


def test_by_driver_splits_routes_visits_and_returns_by_who_drove(office: tuple[Tenant, Api]) -> None:
    tenant, api = office
    report = kpis(api, "driver")
    rows = groups(report)
    one = rows[tenant.users[Role.driver].name]
    two = rows[FORMULA_NAME]
    assert set(rows) == {tenant.users[Role.driver].name, FORMULA_NAME}
    assert one["key"] == str(tenant.users[Role.driver].id)
    # driver 1: R1 + R3
    assert (one["stops_completed"], one["stops_failed"]) == (7, 2)
    assert (one["stops_with_window"], one["stops_on_time"], one["on_time_rate"]) == (5, 4, 0.8)  # s1 s2 s4x s5 s11
    assert (one["first_attempts"], one["first_attempt_rate"]) == (6, 0.6667)  # O1 O2 O3x O4 O5 O11x
    assert (one["routes"], one["route_hours"], one["stops_per_hour"], one["distance_km"], one["co2_kg"]) == (
        2,
        7.0,
        1.0,
        72.0,
        14.4,
    )
    # ETA 5 44 6 5 5 5 -> 70 / 6; plan 15 54 16 30 10 5 10 5 5 -> 150 / 9, median the 5th of 5 5 5 10 10 ...
    assert (one["eta_error_mean_min"], one["eta_error_median_min"]) == (11.7, 5.0)
    assert (one["plan_error_mean_min"], one["plan_error_median_min"]) == (16.7, 10.0)
    # delivered O1 O2 O4 O5 O14 O3; RR1 is a return of O1, which driver 1 delivered
    assert (one["deliveries"], one["returns"], one["returns_rate"]) == (6, 1, 0.1667)
    # pickups happen at the counter: not split by driver
    assert one["pickups_handed_over"] is None and one["pickup_wait_median_h"] is None
    # driver 2: R2 (the bike)
    assert (two["stops_completed"], two["on_time_rate"], two["first_attempt_rate"]) == (2, 0.0, 1.0)
    assert (two["route_hours"], two["stops_per_hour"], two["distance_km"], two["co2_kg"]) == (2.5, 0.8, 9.0, 0.0)
    assert (two["eta_error_mean_min"], two["plan_error_median_min"]) == (27.5, 30.0)
    assert (two["deliveries"], two["returns"], two["returns_rate"]) == (1, 1, 1.0)


def test_by_profile_the_van_and_the_bike(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    report = kpis(api, "profile")
    assert [(g["key"], g["label"]) for g in report["groups"]] == [("van", "Van"), ("bike", "Bike")]
    van, bike = report["groups"]
    assert (van["distance_km"], van["co2_kg"], van["stops_per_hour"], van["returns"]) == (72.0, 14.4, 1.0, 1)
    assert (bike["distance_km"], bike["co2_kg"], bike["stops_per_hour"], bike["returns"]) == (9.0, 0.0, 0.8, 1)


def test_by_zone_a_visit_belongs_to_the_zone_around_its_order(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    report = kpis(api, "zone")
    assert [g["label"] for g in report["groups"]] == ["Centre", "North", "Outside every zone"]
    centre, north, outside = report["groups"]
    assert outside["key"] is None
    # Centre: s1 s2 s6 s7 s12 done, s11 failed; windows s1 s2 s7x s11; first attempts O1 O2 O7 O11x
    assert (centre["stops_completed"], centre["stops_failed"], centre["on_time_rate"]) == (5, 1, 0.75)
    assert (centre["first_attempts"], centre["first_attempt_rate"]) == (4, 0.75)
    # ETA 5 44 45 5 -> 24.75, median (5 + 44) / 2; plan 15 54 5 40 5 5 -> 124 / 6, median (5 + 15) / 2
    assert (centre["eta_error_mean_min"], centre["eta_error_median_min"]) == (24.8, 24.5)
    assert (centre["plan_error_mean_min"], centre["plan_error_median_min"]) == (20.7, 10.0)
    # delivered O1 O2 O14 O7; RR1 lives in Centre; the store (so every pickup) too
    assert (centre["deliveries"], centre["returns"], centre["returns_rate"]) == (4, 1, 0.25)
    assert (centre["pickups_handed_over"], centre["pickup_wait_p90_h"]) == (3, 24.0)
    # route figures cannot be split between zones
    assert centre["routes"] is None and centre["distance_km"] is None and centre["stops_per_hour"] is None
    # North: s3x s4 s8 s10; windows s4x; first attempts O3x O4
    assert (north["stops_completed"], north["stops_failed"], north["on_time_rate"]) == (3, 1, 0.0)
    assert (north["first_attempts"], north["first_attempt_rate"]) == (2, 0.5)
    assert (north["eta_error_mean_min"], north["eta_error_median_min"]) == (7.0, 6.0)  # 6 10 5
    assert (north["plan_error_mean_min"], north["plan_error_median_min"]) == (19.0, 18.0)  # 16 30 20 10
    assert (north["deliveries"], north["returns"], north["returns_rate"]) == (2, 1, 0.5)
    assert (north["pickups_handed_over"], north["pickup_wait_median_h"]) == (0, None)
    # O5 lies in no zone
    assert (outside["stops_completed"], outside["on_time_rate"], outside["deliveries"]) == (1, 1.0, 1)


def test_by_carrier_the_organization_is_the_one_carrier(office: tuple[Tenant, Api]) -> None:
    tenant, api = office
    report = kpis(api, "carrier")
    assert [(g["key"], g["label"]) for g in report["groups"]] == [(str(tenant.organization.id), "Doorstep Oy")]
    only = dict(report["groups"][0])
    del only["key"], only["label"]
    assert only == report["totals"]


def test_another_organizations_rows_never_count(client: Any, office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    other = make_tenant(client)
    run_in_app(client, build_other, other)  # a third organization with the same day in the same places
    assert kpis(api)["totals"]["stops_completed"] == 9
    assert kpis(api)["totals"]["distance_km"] == 81.0
    theirs = sign_in(client, other.users[Role.admin])
    t = kpis(theirs)["totals"]
    assert (t["stops_completed"], t["deliveries"], t["returns"], t["pickups_handed_over"]) == (1, 1, 1, 1)
    assert (t["distance_km"], t["route_hours"], t["on_time_rate"]) == (500.0, 8.0, 0.0)  # 08:10 is after 08:00 + 5
    assert [g["label"] for g in kpis(theirs, "zone")["groups"]] == ["Theirs"]


# -- who may ask, and what -----------------------------------------------------------------------------------


def test_only_admins_and_dispatchers_read_the_kpis(client: Any, office: tuple[Tenant, Api]) -> None:
    tenant, _api = office
    for role in (Role.driver, Role.store_staff):
        api = sign_in(client, tenant.users[role])
        for path in ("/api/analytics/kpis", "/api/analytics/kpis.csv"):
            response = api.get(path, params={"from": "2026-03-02"})
            assert response.status_code == 403, (role, path)
            assert response.headers["content-type"].startswith("application/problem+json")
    client.cookies.clear()
    assert client.get("/api/analytics/kpis", params={"from": "2026-03-02"}).status_code == 401
    admin = sign_in(client, tenant.users[Role.admin])
    assert admin.get("/api/analytics/kpis", params={"from": "2026-03-02"}).status_code == 200


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),  # from is required
        ({"from": "2026-13-01"}, 400),
        ({"from": "yesterday"}, 400),
        ({"from": "2026-03-02", "to": "2026-03-32"}, 400),
        ({"from": "2026-03-02", "by": "week"}, 400),
        ({"from": "2026-03-03", "to": "2026-03-02"}, 422),  # backwards
        ({"from": "2025-01-01", "to": "2026-01-02"}, 422),  # 367 days
        ({"from": "0001-01-01"}, 422),
        ({"from": "9999-12-31"}, 422),
    ],
)
def test_bad_parameters_are_problem_details(office: tuple[Tenant, Api], params: dict[str, str], status: int) -> None:
    _tenant, api = office
    for path in ("/api/analytics/kpis", "/api/analytics/kpis.csv"):
        response = api.get(path, params=params)
        assert response.status_code == status, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == status


def test_a_period_of_a_whole_leap_year_is_allowed(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    report = kpis(api, "day", date(2028, 1, 1), date(2028, 12, 31))  # 366 days
    assert len(report["groups"]) == 366 and report["totals"]["stops_completed"] == 0


def test_to_defaults_to_from(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    response = api.get("/api/analytics/kpis", params={"from": "2026-03-03"})
    assert response.status_code == 200
    report = response.json()
    assert report["to"] == "2026-03-03" and report["by"] == "day" and report["totals"]["stops_completed"] == 2


# -- CSV -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["day", "driver", "zone"])
def test_the_csv_says_what_the_json_says(office: tuple[Tenant, Api], by: str) -> None:
    _tenant, api = office
    params = {"from": "2026-03-02", "to": "2026-03-03", "by": by}
    response = api.get("/api/analytics/kpis.csv", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="doorstep-kpis-2026-03-02-to-2026-03-03-by-{by}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    report = kpis(api, by)
    assert len(rows) == len(report["groups"]) + 1 and rows[-1]["label"] == "Total"
    for row, expected in zip(rows, [*report["groups"], {"key": None, "label": "Total", **report["totals"]}]):
        for name in export.FIGURES:
            value = expected[name]
            assert row[name] == ("" if value is None else str(value)), (name, row, expected)
        assert row["key"] == (expected["key"] or "")
        if expected["label"] != FORMULA_NAME:
            assert row["label"] == expected["label"]


def test_the_csv_defuses_a_name_a_spreadsheet_would_run(office: tuple[Tenant, Api]) -> None:
    _tenant, api = office
    response = api.get("/api/analytics/kpis.csv", params={"from": "2026-03-02", "to": "2026-03-03", "by": "driver"})
    labels = [row["label"] for row in csv.DictReader(io.StringIO(response.text))]
    assert "'" + FORMULA_NAME in labels and FORMULA_NAME not in labels
    assert not any(label.startswith(("=", "+", "-", "@")) for label in labels)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_cells_that_start_like_a_formula_get_an_apostrophe(text: str) -> None:
    assert text_cell(text) == "'" + text
    assert text_cell("Anna =1") == "Anna =1" and text_cell(None) == ""


# -- the pure parts, with rows made by hand ------------------------------------------------------------------


def visit(**overrides: Any) -> Visit:
    base: dict[str, Any] = {
        "order_id": UUID(int=1),
        "order_kind": OrderKind.delivery,
        "stop_kind": StopKind.delivery,
        "status": StopStatus.completed,
        "service_date": DAY1,
        "route_id": UUID(int=100),
        "driver_id": None,
        "profile": VehicleProfile.van,
        "lat": CENTRE[0],
        "lon": CENTRE[1],
    }
    return Visit(**{**base, **overrides})


def test_on_time_is_the_window_widened_by_the_grace_on_both_sides() -> None:
    window = {"window_start_at": at(DAY1, "10:00"), "window_end_at": at(DAY1, "11:00")}
    assert service.on_time(visit(arrived_at=at(DAY1, "09:55"), **window)) is True  # exactly the grace early
    assert service.on_time(visit(arrived_at=at(DAY1, "09:54"), **window)) is False
    assert service.on_time(visit(arrived_at=at(DAY1, "11:05"), **window)) is True
    assert service.on_time(visit(arrived_at=None, completed_at=at(DAY1, "11:06"), **window)) is False
    assert service.on_time(visit(**window)) is None  # never reached
    assert service.on_time(visit(arrived_at=at(DAY1, "11:00"))) is None  # no window
    assert service.on_time(visit(arrived_at=at(DAY1, "23:00"), window_start_at=at(DAY1, "10:00"))) is True


def test_only_door_stops_are_visits() -> None:
    assert service.is_visit(OrderKind.delivery, StopKind.delivery)
    assert service.is_visit(OrderKind.store_pickup, StopKind.delivery)  # dropped at the store
    assert service.is_visit(OrderKind.return_, StopKind.pickup)  # collected from the customer
    assert not service.is_visit(OrderKind.delivery, StopKind.pickup)  # fetched at the depot
    assert not service.is_visit(OrderKind.return_, StopKind.delivery)  # dropped at the depot


def test_the_first_attempt_is_the_earliest_even_before_the_period() -> None:
    period = service.Period(DAY1, DAY2, HELSINKI)
    a, b = UUID(int=1), UUID(int=2)
    attempts = [
        visit(order_id=a, status=StopStatus.completed, service_date=DAY2, completed_at=at(DAY2, "09:00")),
        visit(order_id=a, status=StopStatus.failed, service_date=DAY1, completed_at=at(DAY1, "15:00")),
        visit(order_id=b, status=StopStatus.failed, service_date=DAY0, completed_at=at(DAY0, "09:00")),
        visit(order_id=b, status=StopStatus.completed, service_date=DAY1, completed_at=at(DAY1, "09:00")),
    ]
    first = service.first_attempts(attempts, period)
    assert [(v.order_id, v.status) for v in first] == [(a, StopStatus.failed)]


def test_p90_is_the_nearest_rank() -> None:
    assert service.p90([3.0]) == 3.0
    assert service.p90([float(n) for n in range(1, 11)]) == 9.0  # ceil(9.0) = 9th of 10
    assert service.p90([float(n) for n in range(1, 12)]) == 10.0  # ceil(9.9) = 10th of 11


def test_a_route_still_out_runs_to_its_last_completed_stop_and_one_with_nothing_done_counts_no_hours() -> None:
    started = at(DAY1, "08:00")
    out = RouteRow(UUID(int=1), DAY1, None, VehicleProfile.car, 10_000, started, at(DAY1, "09:30"))
    idle = RouteRow(UUID(int=2), DAY1, None, VehicleProfile.car, 5_000, started, None)
    figures = service.figures(visits=[visit()], first=[], routes=[out, idle], returns=[], pickups=[])
    # 1.5 h + 0 h; 15 km x 0.17 kg
    assert (figures.route_hours, figures.stops_per_hour, figures.distance_km, figures.co2_kg) == (1.5, 0.67, 15.0, 2.55)


def test_pickup_waits_are_hours_from_ready_to_handed_over() -> None:
    pickups = [
        PickupRow(at(DAY1, "08:00"), at(DAY1, "08:30"), *STORE),
        PickupRow(at(DAY1, "08:00"), at(DAY1, "10:00"), *STORE),
    ]
    figures = service.figures(visits=[], first=[], routes=None, returns=[], pickups=pickups)
    assert (figures.pickups_handed_over, figures.pickup_wait_median_h, figures.pickup_wait_p90_h) == (2, 1.25, 2.0)
    assert figures.routes is None and figures.distance_km is None


def test_a_report_over_no_rows_has_counts_of_zero_and_no_rates() -> None:
    report = service.compute(
        Dataset(visits=[], attempts=[], routes=[], returns=[], pickups=[]),
        period=service.Period(DAY1, DAY1, HELSINKI),
        by=Grouping.driver,
        zones=[],
        driver_names={},
        organization=(UUID(int=9), "Org"),
    )
    assert report.groups == []
    assert report.totals.stops_completed == 0 and report.totals.on_time_rate is None
    assert report.totals.eta_error_mean_min is None and report.totals.pickup_wait_p90_h is None


# -- a day driven through the API ----------------------------------------------------------------------------


def test_a_day_driven_through_the_api_keeps_the_eta_shown_at_setting_off(client: Any) -> None:
    """Plan and publish a day, start the route and deliver each stop some minutes after its planned time; the
    ETA kept at setting off (the plan's time: no positions, so no live ETA) gives those minutes back."""
    tenant = make_tenant(client)
    office = sign_in(client, tenant.users[Role.dispatcher])
    zone = ZoneInfo(tenant.organization.timezone)
    day = datetime.now(zone).date() + timedelta(days=1)
    depot = office.post(
        "/api/locations", json={"kind": "depot", "name": "Depot", "address": "Depot 1", "lat": 60.16, "lon": 24.93}
    ).json()
    vehicle = {
        "name": "Van",
        "profile": "van",
        "capacity_kg": 500.0,
        "capacity_l": 3000.0,
        "capacity_parcels": 50,
        "shift_start": "08:00:00",
        "shift_end": "16:00:00",
        "depot_id": depot["id"],
        "driver_id": str(tenant.users[Role.driver].id),
    }
    assert office.post("/api/vehicles", json=vehicle).status_code == 201
    for lat, lon in ((60.170, 24.940), (60.175, 24.950), (60.165, 24.955)):
        make_order(office, lat=lat, lon=lon)
    plan = office.post("/api/plans", json={"service_date": day.isoformat(), "time_budget_s": 1, "publish": True})
    assert plan.status_code == 201, plan.text
    route_id = plan.json()["routes"][0]["id"]
    stops = [s for s in office.get(f"/api/routes/{route_id}").json()["stops"] if s["order_id"]]
    assert len(stops) == 3
    first_planned = datetime.fromisoformat(stops[0]["planned_arrival_at"])
    started = office.post(
        f"/api/routes/{route_id}/start", json={"occurred_at": (first_planned - timedelta(minutes=20)).isoformat()}
    )
    assert started.status_code == 200, started.text
    late_by = [7, 3, 12]  # minutes after the plan's time
    for stop, minutes in zip(stops, late_by):
        current = next(s for s in office.get(f"/api/routes/{route_id}").json()["stops"] if s["id"] == stop["id"])
        arrival = datetime.fromisoformat(current["planned_arrival_at"]) + timedelta(minutes=minutes)
        assert (
            office.post(
                f"/api/routes/{route_id}/stops/{stop['id']}/arrive", json={"occurred_at": arrival.isoformat()}
            ).status_code
            == 200
        )
        done = office.post(
            f"/api/routes/{route_id}/stops/{stop['id']}/complete",
            json={"outcome": "delivered", "occurred_at": (arrival + timedelta(minutes=2)).isoformat()},
        )
        assert done.status_code == 200, done.text
    t = kpis(office, "driver", day, day)["totals"]
    assert (t["stops_completed"], t["deliveries"], t["first_attempts"], t["first_attempt_rate"]) == (3, 3, 3, 1.0)
    # 7 3 12 -> mean 7.33, median 7
    assert (t["eta_error_stops"], t["eta_error_mean_min"], t["eta_error_median_min"]) == (3, 7.3, 7.0)
    route = office.get(f"/api/routes/{route_id}").json()
    assert t["routes"] == 1 and t["distance_km"] == round(route["distance_m"] / 1000, 2)
    assert t["co2_kg"] == round(route["distance_m"] / 1000 * 0.2, 2)
    # the route is still out: its hours run to the last completed stop
    last_done = max(datetime.fromisoformat(s["completed_at"]) for s in route["stops"] if s["completed_at"])
    hours = (last_done - (first_planned - timedelta(minutes=20))).total_seconds() / 3600
    assert t["route_hours"] == round(hours, 2)
