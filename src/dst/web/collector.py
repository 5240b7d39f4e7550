"""Python's cyclic garbage collector, tuned for a long-running server process.

Measured under the 50-clinician load (docs/benchmarks.md): with the interpreter's defaults the
collector took about a fifth of a worker's CPU. Each collection of the older generations walked
every object start-up left behind (modules, compiled SQL statements, pydantic schemas, routes), and
the young generation was collected every 700 container allocations, a few times per request.

`settle()` runs once a worker has started: it collects what start-up left as garbage, then moves
every surviving object into the permanent generation (`gc.freeze`), which no collection walks, and
collects the young generation every YOUNG_THRESHOLD allocations. Objects made while serving are
collected as before; only the start-up objects, alive for the whole process anyway, are left out.
`dst serve` applies it (dst.main.served_app); apps built in tests and tools keep the defaults.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # the interpreter's default is 700
OLDER_EVERY = 20  # collections of the next younger generation between two of the older (default 10)


def settle() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, OLDER_EVERY, OLDER_EVERY)
