"""Where a refused request could be served instead: other stores holding enough, nearest first (haversine)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius: within 0.5 % of the ellipsoid, plenty to rank stores
MAX_LISTED_STORES = 5  # per short SKU: the customer picks among the nearest, not among every store


@dataclass(frozen=True)
class Candidate:
    """One SKU's available units at one store."""

    location_id: UUID
    name: str
    lat: float
    lon: float
    sku_id: UUID
    available: int


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _store(candidate: Candidate, origin: tuple[float, float], **extra: Any) -> dict[str, Any]:
    return {
        "location_id": str(candidate.location_id),
        "name": candidate.name,
        "distance_m": round(distance_m(origin[0], origin[1], candidate.lat, candidate.lon)),
        **extra,
    }


def stores_with_enough(
    candidates: Sequence[Candidate], *, sku_id: UUID, quantity: int, origin: tuple[float, float]
) -> list[dict[str, Any]]:
    """Stores with at least `quantity` of the SKU available, nearest to `origin` (lat, lon) first."""
    enough = [c for c in candidates if c.sku_id == sku_id and c.available >= quantity]
    listed = [_store(c, origin, available=c.available) for c in enough]
    listed.sort(key=lambda store: (store["distance_m"], store["name"]))
    return listed[:MAX_LISTED_STORES]


def store_with_everything(
    candidates: Sequence[Candidate], *, wanted: Mapping[UUID, int], origin: tuple[float, float]
) -> dict[str, Any] | None:
    """The nearest store that could take the whole request (every SKU in its quantity), or None."""
    by_store: dict[UUID, dict[UUID, int]] = {}
    first: dict[UUID, Candidate] = {}
    for candidate in candidates:
        by_store.setdefault(candidate.location_id, {})[candidate.sku_id] = candidate.available
        first.setdefault(candidate.location_id, candidate)
    able = [
        _store(first[store_id], origin)
        for store_id, held in by_store.items()
        if all(held.get(sku_id, 0) >= quantity for sku_id, quantity in wanted.items())
    ]
    able.sort(key=lambda store: (store["distance_m"], store["name"]))
    return able[0] if able else None
