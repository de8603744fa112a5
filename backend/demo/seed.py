"""The demo organization in central Helsinki: a depot, two stores, four drivers with vehicles, 60 orders; and a
carrier organization it gives four more deliveries to.

Every point comes from data/addresses.json, taken from the OpenStreetMap extract beside it
(© OpenStreetMap contributors, ODbL 1.0). Seeding goes through the same services as the API.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.accounts import service as accounts
from backend.accounts.models import Organization, OrganizationKind, Role
from backend.accounts.principal import Principal
from backend.accounts.schemas import UserCreate
from backend.carriers import service as carriers
from backend.carriers.schemas import LinkCreate
from backend.fleet import service as fleet
from backend.fleet.models import VehicleProfile
from backend.fleet.schemas import VehicleCreate
from backend.inventory import service as inventory
from backend.inventory.schemas import SkuCreate
from backend.orders import service as orders
from backend.orders.models import OrderKind
from backend.orders.schemas import OrderCreate, OrderLine
from backend.places import service as places
from backend.places.models import LocationKind
from backend.places.schemas import LocationCreate, ZoneCreate
from backend.stores.models import StoreAssignment

DATA = Path(__file__).parent / "data"
ORGANIZATION_NAME = "Doorstep Demo Helsinki"
PASSWORD = "doorstep-demo"
TIMEZONE = "Europe/Helsinki"
ORDER_COUNT = 60
# a courier company the demo shipper gives a few deliveries to; its dispatcher works them at /carrier
CARRIER_NAME = "Kaupunkikuriiri Oy"
CARRIER_ORDER_COUNT = 4
CARRIER_EMAIL = "carrier@demo.doorstep.dev"
# what the demo's stores sell: in-store pickups reserve one each, and returns can restock them
PRODUCTS = [
    ("MUG-BLUE", "Blue stoneware mug"),
    ("TEE-M", "Organic cotton T-shirt, M"),
    ("LAMP-DESK", "Desk lamp"),
    ("BOOK-MOOMIN", "Moomin picture book"),
]

FIRST_NAMES = [
    "Aino",
    "Eino",
    "Helmi",
    "Oliver",
    "Sofia",
    "Leo",
    "Ella",
    "Väinö",
    "Olivia",
    "Onni",
    "Aada",
    "Elias",
    "Lilja",
    "Toivo",
    "Venla",
    "Eetu",
    "Saara",
    "Juho",
    "Iida",
    "Mikael",
]
LAST_NAMES = [
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
]
OPENING_HOURS = {d: [("09:00", "21:00")] for d in ("mon", "tue", "wed", "thu", "fri")} | {
    "sat": [("10:00", "18:00")],
    "sun": [("12:00", "18:00")],
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


LOGINS = [
    DemoLogin("admin", "admin@demo.doorstep.dev", PASSWORD),
    DemoLogin("dispatcher", "dispatcher@demo.doorstep.dev", PASSWORD),
    DemoLogin("store_staff", "store@demo.doorstep.dev", PASSWORD),
    *[DemoLogin("driver", f"driver{i}@demo.doorstep.dev", PASSWORD) for i in range(1, 5)],
    # not the shipper's: the carrier organization's dispatcher (printed as "carrier")
    DemoLogin("carrier", CARRIER_EMAIL, PASSWORD),
]


def load_addresses() -> dict[str, Any]:
    return json.loads((DATA / "addresses.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


async def demo_exists(session: AsyncSession) -> bool:
    return await session.scalar(select(Organization.id).where(Organization.name == ORGANIZATION_NAME)) is not None


def demo_day(now: datetime | None = None, timezone: str = TIMEZONE) -> date:
    """The day the demo's orders are for: tomorrow in the demo's zone, a whole day for the dispatcher to plan.
    Today belongs to the simulated couriers (`doorstep simulate`), whose plan is under way: one plan a day."""
    local = (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone))
    return local.date() + timedelta(days=1)


async def seed(
    session: AsyncSession, *, secret_key: str, today: datetime | None = None, timezone: str = TIMEZONE
) -> bool:
    """Create the demo organization unless it exists; returns whether it created it."""
    if await demo_exists(session):
        return False
    data = load_addresses()
    rng = random.Random(20261125)
    org = await accounts.create_organization(
        session, name=ORGANIZATION_NAME, kind=OrganizationKind.shipper, timezone=timezone, country_code="FI"
    )
    actor = "system:demo"
    users = {}
    names = {"admin": "Aino Admin", "dispatcher": "Dani Dispatcher", "store_staff": "Sami Store"}
    for index, login in enumerate(LOGINS):
        if login.email == CARRIER_EMAIL:
            continue
        name = names.get(login.role) or f"{FIRST_NAMES[index]} Driver"
        users[login.email] = await accounts.create_user(
            session,
            organization=org,
            data=UserCreate(email=login.email, name=name, role=Role(login.role), password=login.password),
            actor=actor,
        )
    admin = users["admin@demo.doorstep.dev"]
    principal = Principal(organization_id=org.id, role=Role.admin, via="session", user_id=admin.id)

    depot_data = data["depot"]
    depot = await places.create_location(
        session,
        principal=principal,
        data=LocationCreate(
            kind=LocationKind.depot,
            name=depot_data["name"],
            address=depot_data["address"],
            lat=depot_data["lat"],
            lon=depot_data["lon"],
            opening_hours={d: [("06:00", "22:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat")},
        ),
    )
    stores = []
    for store in data["stores"]:
        stores.append(
            await places.create_location(
                session,
                principal=principal,
                data=LocationCreate(
                    kind=LocationKind.store,
                    name=store["name"],
                    address=store["address"],
                    lat=store["lat"],
                    lon=store["lon"],
                    opening_hours=OPENING_HOURS,
                ),
            )
        )
    # the store clerk works at both stores; each store and the depot stock the demo's products
    for store in stores:
        session.add(
            StoreAssignment(organization_id=org.id, user_id=users["store@demo.doorstep.dev"].id, location_id=store.id)
        )
    for code, name in PRODUCTS:
        await inventory.create_sku(session, principal=principal, data=SkuCreate(code=code, name=name))
        for location, quantity in ((depot, 40), *((store, 12) for store in stores)):
            await inventory.receive(
                session,
                principal=principal,
                location_id=location.id,
                sku_code=code,
                quantity=quantity,
                reason="opening stock",
            )
    await places.create_zone(
        session,
        principal=principal,
        data=ZoneCreate(
            name="Helsinki centre",
            geometry={
                "type": "Polygon",
                "coordinates": [
                    [[24.9352, 60.1642], [24.9534, 60.1642], [24.9534, 60.1791], [24.9352, 60.1791], [24.9352, 60.1642]]
                ],
            },
        ),
    )
    drivers = [users[f"driver{i}@demo.doorstep.dev"] for i in range(1, 5)]
    fleet_spec = [
        ("Cargo bike 1", VehicleProfile.bike, 80.0, 300.0, 25),
        ("Cargo bike 2", VehicleProfile.bike, 80.0, 300.0, 25),
        ("Van 1", VehicleProfile.van, 900.0, 6000.0, 150),
        ("Van 2", VehicleProfile.van, 900.0, 6000.0, 150),
    ]
    for driver, (name, profile, kg, litres, parcels) in zip(drivers, fleet_spec, strict=True):
        await fleet.create_vehicle(
            session,
            principal=principal,
            data=VehicleCreate(
                name=name,
                profile=profile,
                capacity_kg=kg,
                capacity_l=litres,
                capacity_parcels=parcels,
                shift_start=time(8, 0),
                shift_end=time(16, 0),
                driver_id=driver.id,
                depot_id=depot.id,
                skills=["cargo_bike"] if profile is VehicleProfile.bike else ["large_items"],
            ),
        )

    local_today = demo_day(today, timezone)
    for index, stop in enumerate(data["stops"][:ORDER_COUNT]):
        kind = OrderKind.delivery
        if index % 15 == 7:
            kind = OrderKind.store_pickup
        elif index % 20 == 13:
            kind = OrderKind.return_
        # "any time that day" is the vans' working day: an order without a window would join whichever day
        # is live first (today's simulation), as live re-planning does for a new order without a date
        window_start: datetime | None = datetime.combine(local_today, time(8, 0), ZoneInfo(timezone))
        window_end: datetime | None = datetime.combine(local_today, time(16, 0), ZoneInfo(timezone))
        if kind is OrderKind.delivery and index % 3 == 0:
            hour = 9 + (index % 6)
            window_start = datetime.combine(local_today, time(hour, 0), ZoneInfo(timezone))
            window_end = window_start + timedelta(hours=2)
        elif kind is OrderKind.store_pickup:
            window_start = window_end = None
        await orders.create_order(
            session,
            principal=principal,
            organization=org,
            secret_key=secret_key,
            data=OrderCreate(
                kind=kind,
                external_ref=f"DEMO-{index + 1:04d}",
                recipient_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                recipient_phone=f"+35840{rng.randrange(1_000_000, 9_999_999)}",
                recipient_email=f"customer{index + 1}@example.com",
                address=stop["address"],
                lat=stop["lat"],
                lon=stop["lon"],
                window_start_at=window_start,
                window_end_at=window_end,
                service_s=rng.choice([60, 90, 120, 180]),
                weight_kg=round(rng.uniform(0.3, 12.0), 1),
                volume_l=round(rng.uniform(1.0, 40.0), 1),
                priority=10 if index % 10 == 0 else 0,
                store_id=stores[index % 2].id if kind is OrderKind.store_pickup else None,
                barcodes=[f"DS{index + 1:06d}"],
                notes="Door code 1234" if index % 7 == 0 else None,
                lines=[OrderLine(sku=PRODUCTS[index % len(PRODUCTS)][0], quantity=1)]
                if kind is OrderKind.store_pickup
                else [],
                # one pickup in three and one delivery in 25 are age-restricted: the hand-over asks for photo ID
                id_check_required=(kind is OrderKind.store_pickup and index % 45 == 7)
                or (kind is OrderKind.delivery and index % 25 == 11),
            ),
        )
    await seed_carrier(session, principal=principal, organization=org, secret_key=secret_key, day=local_today, rng=rng)
    return True


async def seed_carrier(
    session: AsyncSession,
    *,
    principal: Principal,
    organization: Organization,
    secret_key: str,
    day: date,
    rng: random.Random,
) -> None:
    """The carrier organization with its dispatcher, linked by the demo shipper, and the shipper's deliveries at
    the next addresses given to it by hand (the shipper's planner leaves them alone)."""
    carrier = await accounts.create_organization(
        session, name=CARRIER_NAME, kind=OrganizationKind.carrier, timezone=organization.timezone, country_code="FI"
    )
    await accounts.create_user(
        session,
        organization=carrier,
        data=UserCreate(email=CARRIER_EMAIL, name="Kalle Kuriiri", role=Role.dispatcher, password=PASSWORD),
        actor="system:demo",
    )
    link = await carriers.create_link(
        session, principal=principal, data=LinkCreate(carrier_id=carrier.id, name=CARRIER_NAME)
    )
    zone = ZoneInfo(organization.timezone)
    stops = load_addresses()["stops"][ORDER_COUNT : ORDER_COUNT + CARRIER_ORDER_COUNT]
    for number, stop in enumerate(stops, start=ORDER_COUNT + 1):
        start = datetime.combine(day, time(9 + 2 * (number % 3), 0), zone)
        created = await orders.create_order(
            session,
            principal=principal,
            organization=organization,
            secret_key=secret_key,
            data=OrderCreate(
                kind=OrderKind.delivery,
                external_ref=f"DEMO-{number:04d}",
                recipient_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                recipient_phone=f"+35840{rng.randrange(1_000_000, 9_999_999)}",
                recipient_email=f"customer{number}@example.com",
                address=stop["address"],
                lat=stop["lat"],
                lon=stop["lon"],
                window_start_at=start,
                window_end_at=start + timedelta(hours=3),
                weight_kg=round(rng.uniform(0.5, 8.0), 1),
                volume_l=round(rng.uniform(2.0, 30.0), 1),
                barcodes=[f"DS{number:06d}"] + ([f"DS{number:06d}-2"] if number % 2 == 0 else []),
                notes="Leave with the neighbour if out" if number % 4 == 1 else None,
            ),
        )
        await carriers.assign(session, principal=principal, order_id=created.order.id, link_id=link.id)
