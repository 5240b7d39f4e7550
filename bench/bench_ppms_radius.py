"""Radius search in the PPMS fake over 1,000,000 synthetic care sites: prints p50/p95 in ms (target ≤ 20)."""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Callable

import httpx2

from dst.partners.ppms.client import PpmsClient
from dst.partners.ppms.fake import LocatorQuery, ProviderDirectory, create_app
from dst.partners.types import Address, CommunityProvider, GeoPoint
from dst.reference.catalog import NATIONAL_CLINICAL_SERVICES

SEED = 20_260_101
# Metro centres (lat, lng, weight): most care sites sit in cities, the rest are spread rurally.
METROS = [
    (40.71, -74.01, 9), (34.05, -118.24, 7), (41.88, -87.63, 5), (29.76, -95.37, 4), (33.45, -112.07, 3),
    (39.95, -75.17, 3), (29.42, -98.49, 2), (32.72, -117.16, 2), (32.78, -96.80, 4), (37.34, -121.89, 2),
    (30.27, -97.74, 2), (39.77, -86.16, 2), (30.33, -81.66, 2), (37.77, -122.42, 3), (39.96, -83.00, 2),
    (35.23, -80.84, 2), (47.61, -122.33, 3), (39.74, -104.99, 3), (38.91, -77.04, 4), (42.36, -71.06, 4),
    (36.17, -115.14, 2), (45.52, -122.68, 2), (35.15, -90.05, 1), (38.25, -85.76, 1), (43.04, -87.91, 1),
    (35.08, -106.65, 1), (32.22, -110.97, 1), (36.75, -119.77, 1), (38.58, -121.49, 2), (33.75, -84.39, 4),
    (25.76, -80.19, 4), (27.95, -82.46, 3), (44.98, -93.27, 3), (40.44, -80.00, 2), (39.10, -94.58, 2),
    (41.50, -81.69, 2), (42.33, -83.05, 3), (36.16, -86.78, 2), (29.95, -90.07, 1), (21.31, -157.86, 1),
    (61.22, -149.90, 1), (18.47, -66.11, 1), (46.87, -96.79, 1), (43.62, -116.20, 1), (46.59, -112.04, 1),
]  # fmt: skip
CONUS = (25.0, 49.0, -124.5, -67.0)  # south, north, west, east
URBAN_SHARE = 0.7
CODES = sorted({c for spec in NATIONAL_CLINICAL_SERVICES for c in spec.ppms_specialty_codes})


def synthetic_sites(count: int, rng: random.Random) -> list[CommunityProvider]:
    """Deterministic care sites across the US, each with one or two NUCC codes from the catalog."""
    addresses = [Address(city=f"Metro {i}", state="US") for i in range(len(METROS))] + [Address(state="US")]
    weights = [w for _, _, w in METROS]
    sites = []
    for n in range(count):
        if rng.random() < URBAN_SHARE:
            m = rng.choices(range(len(METROS)), weights)[0]
            lat, lng = rng.gauss(METROS[m][0], 0.25), rng.gauss(METROS[m][1], 0.3)
        else:
            m = -1
            lat, lng = rng.uniform(*CONUS[:2]), rng.uniform(*CONUS[2:])
        codes = tuple(rng.sample(CODES, rng.choice((1, 1, 2))))
        sites.append(
            CommunityProvider(f"{1_000_000_000 + n}", f"Provider {n}", f"Site {n}", addresses[m],
                              GeoPoint(lat, lng), codes)
        )  # fmt: skip
    return sites


def timed_ms(action: Callable[[], object], repeats: int) -> tuple[list[float], list[int]]:
    times, sizes = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(len(result) if isinstance(result, list) else 0)
    return times, sizes


def report(label: str, times: list[float], sizes: list[int]) -> None:
    cuts = statistics.quantiles(times, n=100)
    print(
        f"{label}: n={len(times)} p50={cuts[49]:.2f} ms p95={cuts[94]:.2f} ms max={max(times):.2f} ms"
        + (f" mean rows={statistics.fmean(sizes):.1f}" if any(sizes) else "")
    )


def random_query(rng: random.Random, radius: float) -> LocatorQuery:
    if rng.random() < URBAN_SHARE:
        lat, lng, _ = rng.choice(METROS)
        point = GeoPoint(rng.gauss(lat, 0.2), rng.gauss(lng, 0.2))
    else:
        point = GeoPoint(rng.uniform(*CONUS[:2]), rng.uniform(*CONUS[2:]))
    return LocatorQuery(point, radius, tuple(rng.sample(CODES, 5)), max_results=50)


async def end_to_end(app: object, queries: list[LocatorQuery]) -> list[float]:
    """The same searches through PpmsClient → httpx2.ASGITransport → FastAPI fake."""
    times = []
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app)) as http:  # type: ignore[arg-type]
        client = PpmsClient("http://ppms.fake", http)
        for q in queries:
            started = time.perf_counter()
            await client.provider_locator(q.point, q.radius_miles, q.codes, q.max_results)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--radius", type=float, default=40.0)
    args = parser.parse_args()
    rng = random.Random(SEED)

    started = time.perf_counter()
    sites = synthetic_sites(args.sites, rng)
    elapsed = time.perf_counter() - started
    print(f"built {len(sites):,} care sites with {len(CODES)} NUCC codes in {elapsed:.1f} s")
    started = time.perf_counter()
    directory = ProviderDirectory(sites)
    print(f"built the fake's grid index in {time.perf_counter() - started:.1f} s")

    queries = [random_query(rng, args.radius) for _ in range(args.queries)]
    pending = iter(queries)
    times, sizes = timed_ms(lambda: directory.index.within(*_args(next(pending))), len(queries))
    report(f"index, every match sorted, {args.radius:g} mi, 5 codes", times, sizes)
    pending = iter(queries)
    times, sizes = timed_ms(lambda: directory.locate(next(pending)), len(queries))
    report(f"fake query: index (nearest 50) + OData rows, {args.radius:g} mi, 5 codes", times, sizes)

    app = create_app(sites)
    sample = queries[: min(200, len(queries))]
    e2e = asyncio.run(end_to_end(app, sample))
    report("client → ASGI fake round trip (FastAPI + JSON)", e2e, [0] * len(e2e))
    verdict = "meets" if statistics.quantiles(times, n=100)[94] <= 20 else "MISSES"
    print(f"target p95 ≤ 20 ms for the fake's radius query: {verdict}")


def _args(query: LocatorQuery) -> tuple[float, float, float, tuple[str, ...]]:
    return query.point.lat, query.point.lng, query.radius_miles, query.codes


if __name__ == "__main__":
    main()
