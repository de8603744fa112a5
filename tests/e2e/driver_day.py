"""What the driver app's browser tests set up: a published day for a new driver (through `doorstep createuser`
and the API), the fake camera's video (a QR code of a parcel's barcode, as a Y4M file Chromium plays), photos
to pick from the phone's files, and a look into the server's SQLite database for what it recorded."""

from __future__ import annotations

import io
import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import numpy as np
import pytest
import segno
from PIL import Image, ImageDraw

from tests.e2e.conftest import Server
from tests.e2e.test_dispatch import api_session, create, new_organization
from tests.factories import midday_zone

PASSWORD = "driver-e2e-password"
ADDRESSES = json.loads((Path(__file__).resolve().parents[2] / "backend/demo/data/addresses.json").read_text())
# The organization's clock at about noon, so the shift fits whatever the hour of the run.
TIMEZONE = midday_zone()


@dataclass
class DriverDay:
    """One organization's published day: the admin's and the driver's API sessions, the route, and the order
    stops in driving order, each with its order (`order`: id, recipient_name, barcodes, token)."""

    server: Server
    admin: httpx.Client
    driver: httpx.Client
    emails: dict[str, str]
    driver_id: str
    route: dict[str, Any]
    stops: list[dict[str, Any]]
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def barcodes(self) -> list[str]:
        """Every parcel of the route, stop by stop."""
        return [code for stop in self.stops for code in stop["order"]["barcodes"]]

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.admin.get(f"/api/orders/{order_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def proofs(self, order_id: str) -> list[dict[str, Any]]:
        response = self.admin.get(f"/api/orders/{order_id}/proofs")
        assert response.status_code == 200, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def server_route(self) -> dict[str, Any]:
        response = self.admin.get(f"/api/routes/{self.route['id']}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def stop_status(self) -> dict[str, str]:
        """Each stop's status on the server, by stop id."""
        return {s["id"]: s["status"] for s in self.server_route()["stops"]}


def publish_driver_day(server: Server, label: str, barcodes: list[list[str]]) -> DriverDay:
    """A new organization (in a zone where it is about noon) with a depot, a van driven by a new driver, one
    order per entry of `barcodes` (its parcels' barcodes), planned and published for today."""
    if server.env is None:
        pytest.skip("a new organization needs `doorstep createuser` against the server's own database")
    suffix = uuid.uuid4().hex[:8]
    emails = {role: f"{role}.{suffix}@e2e.doorstep.dev" for role in ("admin", "driver")}
    admin = new_organization(server, f"{label} {suffix}", emails["admin"], PASSWORD, TIMEZONE)
    person = create(
        admin, "/api/users", {"email": emails["driver"], "name": "Dave Driver", "role": "driver", "password": PASSWORD}
    )
    local_now = datetime.now(ZoneInfo(TIMEZONE))
    start = (local_now + timedelta(minutes=5)).replace(second=0, microsecond=0)
    end = min(start + timedelta(hours=6), start.replace(hour=23, minute=59))
    depot_id = create(admin, "/api/locations", {"kind": "depot", **ADDRESSES["depot"]})["id"]
    create(
        admin,
        "/api/vehicles",
        {
            "name": "Van A",
            "profile": "van",
            "capacity_kg": 500.0,
            "capacity_l": 3000.0,
            "capacity_parcels": 200,
            "shift_start": start.strftime("%H:%M:00"),
            "shift_end": end.strftime("%H:%M:00"),
            "depot_id": depot_id,
            "driver_id": person["id"],
        },
    )
    names = ["Aino Asiakas", "Bertil Kund", "Cecilia Client", "Dmitri Klient", "Eeva Esimerkki", "Frida Kunde"]
    orders: dict[str, dict[str, Any]] = {}
    for index, codes in enumerate(barcodes):
        name = names[index]
        body = {"recipient_name": name, "weight_kg": 1.0, "barcodes": codes, **ADDRESSES["stops"][index]}
        made = create(admin, "/api/orders", body)
        orders[made["id"]] = {
            "id": made["id"],
            "recipient_name": name,
            "barcodes": codes,
            # the link the customer gets: /track/<token> on the server's public address
            "token": made["tracking_url"].rsplit("/track/", 1)[1],
        }
    plan = create(
        admin, "/api/plans", {"service_date": local_now.date().isoformat(), "time_budget_s": 1, "publish": True}
    )
    assert plan["status"] == "published" and plan["unassigned"] == [], plan
    driver = api_session(server.url, emails["driver"], PASSWORD)
    response = driver.get("/api/driver/route")
    assert response.status_code == 200, f"GET /api/driver/route: {response.status_code} {response.text}"
    route = response.json()
    stops = [
        {**stop, "order": orders[stop["order_id"]]}
        for stop in sorted(route["stops"], key=lambda s: s["sequence"])
        if stop["order_id"] is not None
    ]
    assert len(stops) == len(barcodes), route
    return DriverDay(
        server=server,
        admin=admin,
        driver=driver,
        emails=emails,
        driver_id=person["id"],
        route=route,
        stops=stops,
        orders=orders,
    )


def qr_video(text: str, path: Path, frames: int = 2) -> Path:
    """A Y4M video (640x480, 4:2:0) of a QR code of `text`, black on white: Chromium's fake camera plays it
    in a loop (--use-file-for-fake-video-capture)."""
    width, height = 640, 480
    matrix = np.array([list(row) for row in segno.make(text, error="m", micro=False).matrix], dtype=bool)
    border = 4
    modules = matrix.shape[0] + 2 * border
    scale = 360 // modules
    picture = np.zeros((modules, modules), dtype=bool)
    picture[border:-border, border:-border] = matrix
    big = np.kron(picture, np.ones((scale, scale), dtype=bool))
    luma = np.full((height, width), 235, dtype=np.uint8)
    top, left = (height - big.shape[0]) // 2, (width - big.shape[1]) // 2
    luma[top : top + big.shape[0], left : left + big.shape[1]] = np.where(big, 16, 235)
    chroma = np.full((height // 2) * (width // 2), 128, dtype=np.uint8).tobytes()
    frame = b"FRAME\n" + luma.tobytes() + chroma + chroma
    path.write_bytes(f"YUV4MPEG2 W{width} H{height} F15:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)
    return path


def photo_file(path: Path, label: str) -> Path:
    """A 640x480 JPEG like a phone's photo of a parcel at a door (picked through "Take photo")."""
    image = Image.new("RGB", (640, 480), (180, 150, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((180, 140, 460, 360), fill=(140, 100, 60), outline=(60, 40, 20), width=6)
    draw.text((200, 240), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of an image the server sent (it must decode)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.size


def database(server: Server) -> sqlite3.Connection:
    """The running server's SQLite database, read-only."""
    assert server.env is not None
    path = Path(server.env["DOORSTEP_INSTANCE_DIR"]) / "doorstep.db"
    assert path.is_file(), f"no SQLite database at {path} (DOORSTEP_DATABASE_URL points elsewhere?)"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)


def sync_commands(server: Server, driver_id: str) -> list[tuple[str, str, str, str | None]]:
    """(id, type, outcome, reason) of every command the server recorded from this driver."""
    with database(server) as connection:
        rows = connection.execute(
            "SELECT id, type, outcome, reason FROM sync_commands WHERE principal_id = ? OR principal_id = ?",
            (uuid.UUID(driver_id).bytes, uuid.UUID(driver_id).hex),
        ).fetchall()
    return [(_uuid(row[0]), row[1], row[2], row[3]) for row in rows]


def _uuid(value: object) -> str:
    if isinstance(value, bytes):
        return str(uuid.UUID(bytes=value))
    return str(uuid.UUID(str(value)))


def events(admin: httpx.Client, prefix: str) -> list[dict[str, Any]]:
    """Every event of the organization whose type starts with `prefix`, oldest first."""
    found: list[dict[str, Any]] = []
    while True:
        page = admin.get("/api/events", params={"type": prefix, "limit": 200, "offset": len(found)}).json()
        found.extend(page["items"])
        if len(page["items"]) < 200:
            return found[::-1]
