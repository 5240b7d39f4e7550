"""The map panel's geometry: Web Mercator pixels around the Veteran, with base-map tiles when configured.

Everything is computed on the server and drawn as inline SVG, so the map needs no script and its
text alternative is written from the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

TILE = 256
HALF = 300  # half the drawing's width and height, in pixels
MILES_PER_DEGREE_LAT = 69.17


@dataclass(frozen=True)
class Marker:
    number: int
    label: str
    x: float
    y: float
    kind: str  # "facility", "facility-outside" or "provider"
    detail: str


@dataclass(frozen=True)
class Tile:
    href: str
    x: float
    y: float


@dataclass(frozen=True)
class Drawing:
    zoom: int
    radius_px: float
    radius_miles: float
    markers: tuple[Marker, ...]
    tiles: tuple[Tile, ...]
    size: int = 2 * HALF

    @property
    def centre(self) -> float:
        return float(HALF)


def world_px(lat: float, lng: float, zoom: int) -> tuple[float, float]:
    scale = TILE * 2**zoom
    x = (lng + 180.0) / 360.0 * scale
    sin = math.sin(math.radians(max(min(lat, 85.0), -85.0)))
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
    return x, y


def zoom_for(radius_miles: float, lat: float) -> int:
    """The largest zoom at which the search circle still fits the drawing."""
    degrees = radius_miles / (MILES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.2))
    wanted = (HALF - 20) * 360.0 / (TILE * max(degrees, 1e-6))
    return max(3, min(14, math.floor(math.log2(wanted))))


def draw(
    veteran: tuple[float, float],
    radius_miles: float,
    facilities: list[tuple[str, float, float, bool | None, str]],
    providers: list[tuple[str, float, float, str]],
    tile_url: str | None,
) -> Drawing:
    """Place the Veteran at the centre, each facility and provider around it, and the tiles beneath."""
    lat0, lng0 = veteran
    zoom = zoom_for(radius_miles, lat0)
    cx, cy = world_px(lat0, lng0, zoom)
    edge_x, _ = world_px(
        lat0, lng0 + radius_miles / (MILES_PER_DEGREE_LAT * math.cos(math.radians(lat0))), zoom
    )

    def local(lat: float, lng: float) -> tuple[float, float]:
        x, y = world_px(lat, lng, zoom)
        return round(x - cx + HALF, 1), round(y - cy + HALF, 1)

    markers: list[Marker] = []
    for number, (name, lat, lng, within, detail) in enumerate(facilities, start=1):
        x, y = local(lat, lng)
        kind = "facility-outside" if within is False else "facility"
        markers.append(Marker(number, name, x, y, kind, detail))
    for number, (name, lat, lng, detail) in enumerate(providers, start=1):
        x, y = local(lat, lng)
        markers.append(Marker(number, name, x, y, "provider", detail))
    visible = tuple(m for m in markers if 0 <= m.x <= 2 * HALF and 0 <= m.y <= 2 * HALF)
    tiles = _tiles(tile_url, zoom, cx, cy) if tile_url else ()
    return Drawing(zoom, round(edge_x - cx, 1), radius_miles, visible, tiles)


def _tiles(template: str, zoom: int, cx: float, cy: float) -> tuple[Tile, ...]:
    first_x, last_x = int((cx - HALF) // TILE), int((cx + HALF) // TILE)
    first_y, last_y = int((cy - HALF) // TILE), int((cy + HALF) // TILE)
    limit = 2**zoom
    return tuple(
        Tile(
            template.format(z=zoom, x=tx % limit, y=ty),
            round(tx * TILE - cx + HALF, 1),
            round(ty * TILE - cy + HALF, 1),
        )
        for tx in range(first_x, last_x + 1)
        for ty in range(first_y, last_y + 1)
        if 0 <= ty < limit
    )


def tile_origin(template: str | None) -> str | None:
    """The scheme and host the Content-Security-Policy must allow images from."""
    if not template:
        return None
    parts = urlsplit(template)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None
