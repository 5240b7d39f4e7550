"""Summarise a py-spy profile in collapsed form (`py-spy record --format raw`): where the samples went.

    python bench/profile_summary.py PROFILE [--top N] [--match TEXT]

Prints, for the busiest functions, the share of all samples spent inside them (inclusive) and in
their own code (self), and the share per top-level area of DST's code, so a before/after pair of
profiles can be compared in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>[^ ]+) \((?P<file>[^:]+)(?::\d+)?\)$")
AREAS = (
    ("sqlalchemy", "SQLAlchemy"),
    ("sqlite3", "sqlite3 driver"),
    ("psycopg", "psycopg driver"),
    ("pydantic", "pydantic"),
    ("starlette", "Starlette"),
    ("fastapi", "FastAPI"),
    ("uvicorn", "uvicorn"),
    ("httpx2", "httpx2"),
    ("httpcore2", "httpcore2"),
    ("h11", "h11"),
    ("lxml", "lxml"),
    ("jinja2", "Jinja"),
    ("anyio", "anyio"),
    ("asyncio", "asyncio"),
    ("/dst/", "DST's own code"),
)


def area(file: str) -> str:
    for needle, name in AREAS:
        if needle in file:
            return name
    return "other"


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for text in path.read_text().splitlines():
        stack, _, count = text.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default=None, help="only stacks holding a frame with this text")
    args = parser.parse_args()
    stacks = load(args.profile)
    if args.match:
        stacks = [(s, c) for s, c in stacks if any(args.match in f for f in s)]
    total = sum(c for _, c in stacks) or 1
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    areas: Counter[str] = Counter()
    for frames, count in stacks:
        for frame in set(frames):
            inclusive[frame] += count
        leaf = frames[-1]
        own[leaf] += count
        found = FRAME.match(leaf.strip())
        areas[area(found.group("file") if found else leaf)] += count
    print(f"{total} samples")
    print("\nself time by area:")
    for name, count in areas.most_common():
        print(f"  {100 * count / total:5.1f}%  {name}")
    print(f"\ninclusive (top {args.top}):")
    for frame, count in inclusive.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {frame.strip()}")
    print(f"\nself (top {args.top}):")
    for frame, count in own.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {frame.strip()}")


if __name__ == "__main__":
    main()
