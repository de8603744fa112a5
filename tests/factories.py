"""Test data in one line each: organizations, users, signed-in clients, orders."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import update

from backend.accounts import service as accounts
from backend.accounts.models import Organization, OrganizationKind, Role, User
from backend.accounts.schemas import UserCreate
from backend.db.session import SESSION_FACTORY_KEY, transaction
from backend.kit.clock import utcnow

PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


@dataclass
class Tenant:
    organization: Organization
    users: dict[Role, User]


def make_tenant(
    client: TestClient[Litestar], *, name: str | None = None, kind: OrganizationKind = OrganizationKind.shipper
) -> Tenant:
    """An organization with one user per role, made through the services on the app's own loop."""
    return client.blocking_portal.call(_make_tenant, client.app, name, kind)


def run_in_app(client: TestClient[Litestar], function: Any, /, *args: Any) -> Any:
    """Run `await function(session, *args)` in one committed transaction on the app's loop."""

    async def call() -> Any:
        async with transaction(client.app.state[SESSION_FACTORY_KEY]) as session:
            return await function(session, *args)

    return client.blocking_portal.call(call)


async def _make_tenant(app: Litestar, name: str | None, kind: OrganizationKind) -> Tenant:
    n = next(_counter)
    async with transaction(app.state[SESSION_FACTORY_KEY]) as session:
        org = await accounts.create_organization(
            session, name=name or f"Org {n}", kind=kind, timezone="Europe/Helsinki"
        )
        users = {}
        for role in Role:
            users[role] = await accounts.create_user(
                session,
                organization=org,
                data=UserCreate(
                    email=f"{role.value}.{n}@example.com",
                    name=f"{role.value.title()} {n}",
                    role=role,
                    password=PASSWORD,
                ),
                actor="system:test",
            )
    return Tenant(organization=org, users=users)


def midday_zone() -> str:
    """A fixed-offset zone where it is about noon now, so shifts and the plan fit whatever the hour of the run."""
    offset = 12 - utcnow().hour  # Etc/GMT-3 is UTC+3 (POSIX signs)
    return "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset < 0 else "")


def midday_tenant(client: TestClient[Litestar]) -> tuple[Tenant, str]:
    """A tenant whose organization's clock reads about noon (midday_zone), and that zone."""
    tenant = make_tenant(client)
    zone = midday_zone()

    async def set_zone(session: Any) -> None:
        await session.execute(
            update(Organization).where(Organization.id == tenant.organization.id).values(timezone=zone)
        )

    run_in_app(client, set_zone)
    return tenant, zone


def vehicle_payload(**overrides: Any) -> dict[str, Any]:
    """POST /api/vehicles: a van that works all day."""
    return {
        "name": "Van 1",
        "profile": "van",
        "capacity_kg": 500,
        "capacity_l": 3000,
        "capacity_parcels": 50,
        "shift_start": "00:00:00",
        "shift_end": "23:59:00",
        **overrides,
    }


class Api:
    """A signed-in browser session: keeps the cookie and sends the CSRF token on writes."""

    def __init__(
        self, client: TestClient[Litestar], csrf_token: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        self.client = client
        self.csrf_token = csrf_token
        self.headers = headers or {}

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(self.headers)
        if self.csrf_token:
            headers["X-CSRF-Token"] = self.csrf_token
        headers.update(extra or {})
        return headers

    def get(self, url: str, **kw: Any) -> Any:
        return self.client.get(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.client.post(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.client.put(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.client.patch(url, headers=self._headers(kw.pop("headers", None)), **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.client.delete(url, headers=self._headers(kw.pop("headers", None)), **kw)


def sign_in(client: TestClient[Litestar], user: User, password: str = PASSWORD) -> Api:
    client.cookies.clear()
    response = client.post("/api/auth/login", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.text
    return Api(client, response.json()["csrf_token"])


def order_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_counter)
    payload: dict[str, Any] = {
        "recipient_name": f"Customer {n}",
        "address": f"Mannerheimintie {n}, Helsinki",
        "lat": 60.1699,
        "lon": 24.9384,
        "recipient_phone": "+358401234567",
        "recipient_email": f"customer{n}@example.com",
        "external_ref": f"REF-{n}",
        "barcodes": [f"BC{n:08d}"],
    }
    payload.update(overrides)
    return payload


def make_order(api: Api, **overrides: Any) -> dict[str, Any]:
    response = api.post("/api/orders", json=order_payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


__all__ = [
    "PASSWORD",
    "UUID",
    "Api",
    "Tenant",
    "make_order",
    "make_tenant",
    "midday_tenant",
    "midday_zone",
    "order_payload",
    "run_in_app",
    "sign_in",
    "vehicle_payload",
]


def position_rows(organization_id: UUID, driver_id: UUID, count: int) -> list[dict[str, Any]]:
    """Rows for `positions` as the position writer gets them: one a second, newest first, good accuracy."""
    now = utcnow()
    return [
        {
            "organization_id": organization_id,
            "driver_id": driver_id,
            "route_id": None,
            "lat": 60.16,
            "lon": 24.93,
            "accuracy_m": 5.0,
            "speed_mps": None,
            "heading_deg": None,
            "recorded_at": now - timedelta(seconds=i),
            "received_at": now,
            "for_eta": True,
        }
        for i in range(count)
    ]
