"""Property-based fuzzing of every operation in the app's own OpenAPI schema, with schemathesis.

One pytest item per operation and stack (SQLite + memory, PostgreSQL + Redis): each gets the conftest `client`
(a fresh app on real, migrated databases), a tenant holding one of every resource, and an admin API key sent
as X-API-Key. Schemathesis's examples, coverage and fuzzing phases generate positive and negative requests;
each goes out through that same litestar TestClient, so the app, its lifespan and its asyncpg/redis
connections stay on the client's portal loop (schemathesis's own ASGI transport would start a second copy of
the app on another loop). No response may be a 5xx, and every 4xx must be an RFC 9457 problem.

Bounded and reproducible: at most MAX_EXAMPLES fuzzed cases per operation (the coverage phase adds its fixed
boundary cases), derandomized with a fixed seed, no example database.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from litestar.testing import TestClient
from schemathesis.checks import not_a_server_error

from backend.accounts.models import Role
from backend.app import create_app
from backend.settings import Settings
from tests.factories import make_order, make_tenant, sign_in

MAX_EXAMPLES = 40
SEED = 20_261_125
BASE_URL = "http://testserver.local"
# path parameter names whose well-formed values are, half the time, swapped for a real resource's id
REAL_ID_PARAMETERS = ("user_id", "api_key_id", "location_id", "zone_id", "vehicle_id", "order_id")

CONFIG: dict[str, Any] = {
    "seed": SEED,
    "generation": {
        "mode": "all",  # valid and invalid data
        # the real API key goes with every request (below); generated keys and cookies would only ever get a 401
        "with-security-parameters": False,
    },
    # one request at a time; chaining operations is beyond this test
    "phases": {"stateful": {"enabled": False}},
}


# -- the schema ------------------------------------------------------------------------------------------------


def _load_raw_schema() -> dict[str, Any]:
    """The app's own /schema/openapi.json. Collection needs it before any fixture runs; it does not depend on
    the stack, so an app that is never started (no lifespan, no database connection) serves it."""
    with tempfile.TemporaryDirectory() as tmp:
        app_settings = Settings(
            env="dev",
            instance_dir=Path(tmp),
            database_url=f"sqlite+aiosqlite:///{tmp}/schema.db",
            secret_key="schema-only",
            log_level="WARNING",
        )
        response = TestClient(create_app(app_settings, check_migrations=False)).get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


RAW_SCHEMA = _load_raw_schema()
ORDER_FIELDS: dict[str, Any] = RAW_SCHEMA["components"]["schemas"]["OrderCreate"]["properties"]
ORDER_REQUIRED: list[str] = RAW_SCHEMA["components"]["schemas"]["OrderCreate"]["required"]

# POST /api/orders/import reads the raw body itself, so its schema documents no request body and schemathesis
# would only ever send an empty one (a 415). Describe the two formats the description promises, so the CSV and
# JSON readers get fuzzed too.
_import = RAW_SCHEMA["paths"]["/api/orders/import"]["post"]
assert "requestBody" not in _import, "the import documents its body now: drop this supplement"
_import["requestBody"] = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string", "format": "doorstep-orders-csv"}},
        "application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/OrderCreate"}}},
    },
}
schemathesis.serializer.alias("text/csv", "text/plain")

_CSV_CELLS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["60.17", "24.94", "-91", "1e309", "nan", "12", "-1", "delivery", "pickup", "BC1;BC2|BC3"]),
    st.sampled_from(["+358401234567", "a@example.com", "2026-11-25T09:00:00+02:00", "2026-11-25T08:00", '"', "\r\n"]),
    st.uuids().map(str),
)


@st.composite
def _orders_csv(draw: st.DrawFn) -> str:
    """A header of known columns (usually with the required ones), rows of plausible and hostile cells."""
    optional = [name for name in ORDER_FIELDS if name not in ORDER_REQUIRED]
    required = draw(st.sampled_from([ORDER_REQUIRED, []]))
    header = draw(st.permutations([*required, *draw(st.lists(st.sampled_from(optional), unique=True))]))
    if draw(st.integers(0, 9)) == 0:
        header = [*header, draw(st.text(min_size=1, max_size=8))]  # an unknown column
    width = len(header) + draw(st.sampled_from([0, 0, 0, 1, -1]))  # now and then a ragged row
    rows = draw(st.lists(st.lists(_CSV_CELLS, min_size=max(width, 0), max_size=max(width, 0)), max_size=4))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


schemathesis.openapi.format("doorstep-orders-csv", _orders_csv())
# Litestar documents datetime.time as `format: duration` (it maps time and timedelta alike), so schemathesis
# would send "P1D" for a vehicle's shift and never get past validation; the API takes ISO times
schemathesis.openapi.format("duration", st.times().map(lambda t: t.isoformat()))

schema = schemathesis.openapi.from_dict(RAW_SCHEMA, config=schemathesis.Config.from_dict(CONFIG))

# filled by the api_key fixture for the running test: path parameter name -> a real resource of its tenant
_real_ids: dict[str, str] = {}


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy:
    """A random UUID only ever reaches the 404 branch: half the well-formed ones name a real resource instead."""
    if not path_parameters:
        return st.just(path_parameters)
    names = [name for name, value in path_parameters.items() if name in REAL_ID_PARAMETERS and _is_uuid(value)]
    if not names:
        return st.just(path_parameters)
    return st.booleans().map(
        lambda real: {**path_parameters, **{name: _real_ids[name] for name in names}} if real else path_parameters
    )


# -- fixtures --------------------------------------------------------------------------------------------------


@pytest.fixture
def settings(stack: Any) -> Settings:
    # the login limit (10 attempts a minute per client) would answer 429 to all but the first fuzzed logins
    return dataclasses.replace(stack.settings, login_rate_limit_per_minute=1_000_000)


@pytest.fixture
def api_key(client: TestClient[Any]) -> Iterator[str]:
    """A tenant with one of every resource, and an admin API key for the fuzzer."""
    tenant = make_tenant(client)
    admin = sign_in(client, tenant.users[Role.admin])

    def created(url: str, payload: dict[str, Any]) -> dict[str, Any]:
        response = admin.post(url, json=payload)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    key = created("/api/api-keys", {"name": "fuzzer", "role": "admin"})["key"]
    # what DELETE /api/api-keys/{id} revokes: revoking the fuzzer's own key would turn the rest into 401s
    spare_key = created("/api/api-keys", {"name": "spare", "role": "dispatcher"})["api_key"]
    depot = created("/api/locations", {"kind": "depot", "name": "Depot", "address": "A", "lat": 60.16, "lon": 24.93})
    square = [[24.93, 60.16], [24.95, 60.16], [24.95, 60.18], [24.93, 60.18], [24.93, 60.16]]
    zone = created("/api/zones", {"name": "Centre", "geometry": {"type": "Polygon", "coordinates": [square]}})
    vehicle = created(
        "/api/vehicles",
        {
            "name": "Van 1",
            "profile": "van",
            "capacity_kg": 800,
            "capacity_l": 6000,
            "capacity_parcels": 120,
            "shift_start": "08:00:00",
            "shift_end": "16:00:00",
            "driver_id": str(tenant.users[Role.driver].id),
            "depot_id": depot["id"],
        },
    )
    order = make_order(admin)
    client.cookies.clear()
    _real_ids.update(
        {
            # PATCH /api/users/{id} may deactivate or demote this one: the dispatcher, never the admin
            "user_id": str(tenant.users[Role.dispatcher].id),
            "api_key_id": spare_key["id"],
            "location_id": depot["id"],
            "zone_id": zone["id"],
            "vehicle_id": vehicle["id"],
            "order_id": order["id"],
        }
    )
    yield key
    _real_ids.clear()
    # the fuzzing proves nothing if it ran on a dead key and got 401s all along
    assert client.get("/api/organization", headers={"X-API-Key": key}).status_code == 200


# -- the test --------------------------------------------------------------------------------------------------


def problem_details_on_4xx(ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """Every client error leaves the app through the one problem+json renderer."""
    if 400 <= response.status_code < 500:
        content_type = (response.headers.get("content-type") or [""])[0]
        assert content_type.startswith("application/problem+json"), (
            f"{response.status_code} answered with content-type {content_type!r}, not application/problem+json"
        )
    return None


REQUEST_ARGUMENTS = {"method", "url", "headers", "params", "cookies", "data", "json", "files"}


# Nothing is excluded. POST /api/auth/logout is harmless here: an API-key caller has no session to end.
@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # one app and tenant per operation and stack, shared by that operation's examples: state piling up (a
    # PATCH after a DELETE, a duplicate name after a create) is part of the fuzzing, not a leak between tests
    # (too_slow: generating the larger bodies on a loaded 2-core CI runner is not a failure of the API)
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow],
)
def test_no_operation_answers_a_server_error(case: schemathesis.Case, client: TestClient[Any], api_key: str) -> None:
    # schemathesis serializes the case for `requests` (JSON, CSV, forms, raw bytes); `requests` encodes it, and
    # the encoded request goes through the app's own TestClient
    kwargs = case.as_transport_kwargs(base_url=BASE_URL, headers={"X-API-Key": api_key})
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in REQUEST_ARGUMENTS}).prepare()
    client.cookies.clear()  # a fuzzed POST /api/auth/login must not turn later requests into cookie sessions
    response = client.request(
        prepared.method or case.method, prepared.url or "", headers=dict(prepared.headers), content=prepared.body
    )
    case.validate_response(response, checks=[not_a_server_error, problem_details_on_4xx])
