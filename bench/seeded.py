"""What the benchmarks on a big seeded PostgreSQL database share (bench/search.py,
bench/reports.py): their options, a scaled stack with the sites and agents of a
spec (dropped afterwards unless ``--keep``), percentiles, and the results file."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from papo.testing.server import Stack

ROOT = Path(__file__).resolve().parents[1]


def options(doc: str) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--messages", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--keep", action="store_true", help="keep the database (its URL is printed)")
    return ap.parse_args()


@contextmanager
def scaled_stack(args: argparse.Namespace, spec: dict) -> Iterator[tuple[Stack, dict]]:
    """A migrated PostgreSQL + Redis stack with ``spec`` seeded: (stack, what was seeded)."""
    stack = Stack.scaled()
    try:
        stack.env["SECRET_KEY"] = "bench-" + os.urandom(16).hex()
        stack.migrate()
        yield stack, stack.seed(spec)
    finally:
        if args.keep:
            print(f"kept: DATABASE_URL={stack.env['DATABASE_URL']}")
        else:
            stack.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def save(kind: str, results: dict) -> Path:
    out = ROOT / "bench" / "results" / f"{kind}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"results: {out}")
    return out
