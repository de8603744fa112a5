"""Zone geometry: GeoJSON polygons checked with shapely (valid, lon/lat in range) and their area."""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.validation import explain_validity

from backend.kit.validation import FieldInvalid

MAX_VERTICES = 10_000  # a zone is a delivery area, not a coastline; bigger shapes are refused
EARTH_RADIUS_M = 6_371_008.8


def parse_zone_geometry(geojson: dict[str, Any], *, field: str = "geometry") -> Polygon | MultiPolygon:
    if geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise FieldInvalid(field, "must be a GeoJSON Polygon or MultiPolygon")
    try:
        geometry = shape(geojson)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.ShapelyError) as exc:
        raise FieldInvalid(field, f"not readable GeoJSON ({exc})") from exc
    if shapely.get_num_coordinates(geometry) > MAX_VERTICES:
        raise FieldInvalid(field, f"more than {MAX_VERTICES} vertices")
    if geometry.is_empty:
        raise FieldInvalid(field, "is empty")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if not all(math.isfinite(v) for v in geometry.bounds):
        raise FieldInvalid(field, "coordinates must be finite numbers")
    if min_lon < -180 or max_lon > 180 or min_lat < -90 or max_lat > 90:
        raise FieldInvalid(field, "coordinates must be [longitude, latitude] within ±180 and ±90")
    if not geometry.is_valid:
        raise FieldInvalid(field, f"not a valid polygon: {explain_validity(geometry)}")
    assert isinstance(geometry, Polygon | MultiPolygon)
    return geometry


def area_m2(geometry: Polygon | MultiPolygon) -> float:
    """Area on a local equirectangular projection: well within 1% for city-sized zones."""
    lat0 = math.radians(geometry.centroid.y)
    kx = math.cos(lat0) * math.pi * EARTH_RADIUS_M / 180.0
    ky = math.pi * EARTH_RADIUS_M / 180.0
    projected = shapely.transform(geometry, lambda xy: xy * [kx, ky])
    return float(projected.area)


def parse_yard(geojson: dict[str, Any], *, field: str = "geofence") -> Polygon:
    """A place's yard: one valid Polygon (a depot is one site; several would be several depots)."""
    if geojson.get("type") != "Polygon":
        raise FieldInvalid(field, "must be a GeoJSON Polygon")
    geometry = parse_zone_geometry(geojson, field=field)
    assert isinstance(geometry, Polygon)
    return geometry


def distances_m(origin: tuple[float, float], points: list[tuple[float, float]]) -> list[float]:
    """Metres from `origin` (lat, lon) to each point, with shapely on a local equirectangular projection centred
    on the origin: within 0.5% of the great-circle distance out to 100 km, which is all a store list needs."""
    if not points:
        return []
    lat0, lon0 = origin
    kx = math.cos(math.radians(lat0)) * math.pi * EARTH_RADIUS_M / 180.0
    ky = math.pi * EARTH_RADIUS_M / 180.0
    # longitudes across the antimeridian are taken the short way round
    xs = [((lon - lon0 + 180.0) % 360.0 - 180.0) * kx for _lat, lon in points]
    ys = [(lat - lat0) * ky for lat, _lon in points]
    return [float(d) for d in shapely.distance(shapely.points(0.0, 0.0), shapely.points(xs, ys))]
