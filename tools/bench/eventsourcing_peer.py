"""The Python `eventsourcing` library with its SQLite recorder as a peer for Tierline.

Usage: python eventsourcing_peer.py DB EVENTS_TSV BATCH [MAX_EVENTS]

Reads the tab-separated events written by peer_input.py (the first MAX_EVENTS
of them when given) and decodes their data before timing starts. Append: each
account is one aggregate kept in memory; every event becomes an aggregate
event, and the pending events of BATCH input events are saved in one
`Application.save` call, which the SQLite recorder writes in one transaction.
Rebuild: every aggregate is read back with `repository.get`, which selects its
stored events and applies them in version order, running the same simple fold
as fold.h: the current tier, a count per event type and the usage sum per
calendar month (UTC). Prints one JSON object per measurement.
"""

import json
import os
import sys
import time
import uuid
from collections import defaultdict

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

NAMESPACE = uuid.UUID("5b7c3c2e-3a53-4a53-9d7f-0e1b5c1a9d10")


def month_of(microseconds: int) -> int:
    """Return the UTC calendar month of an instant as year * 12 + month - 1."""
    moment = time.gmtime(microseconds // 1_000_000)
    return moment.tm_year * 12 + moment.tm_mon - 1


class Account(Aggregate):
    """One account's stream; its state is the simple fold."""

    @staticmethod
    def create_id(name: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, name)

    @event("Opened")
    def __init__(self, name: str, kind: str, occurred_at: int, tier: str, quantity: float):
        self.name = name
        self.tier = ""
        self.counts: dict[str, int] = defaultdict(int)
        self.usage: dict[int, float] = {}
        self.fold(kind, occurred_at, tier, quantity)

    @event("Recorded")
    def record(self, kind: str, occurred_at: int, tier: str, quantity: float) -> None:
        self.fold(kind, occurred_at, tier, quantity)

    def fold(self, kind: str, occurred_at: int, tier: str, quantity: float) -> None:
        self.counts[kind] += 1
        if kind in ("account.landed", "tier.changed"):
            self.tier = tier
        elif kind == "usage.recorded":
            month = month_of(occurred_at)
            self.usage[month] = self.usage.get(month, 0.0) + quantity


class Portfolio(Application):
    """The application that stores the account aggregates."""


def read_events(path: str, limit: int | None) -> list[tuple[str, str, int, str, float]]:
    """Return (account, type, occurred_at, tier, quantity) for each input event."""
    events = []
    with open(path, encoding="utf-8") as source:
        for line in source:
            _, account, kind, occurred_at, data = line.rstrip("\n").split("\t")
            fields = json.loads(data)
            tier = fields.get("tier", "") if kind == "account.landed" else fields.get("to", "")
            quantity = float(fields.get("quantity", 0)) if kind == "usage.recorded" else 0.0
            events.append((account, kind, int(occurred_at), tier, quantity))
            if limit is not None and len(events) == limit:
                break
    return events


def main() -> None:
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.strip())
    database, source, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else None
    events = read_events(source, limit)
    app = Portfolio(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": database}
    )

    accounts: dict[str, Account] = {}
    started = time.perf_counter()
    for start in range(0, len(events), batch):
        touched = {}
        for account, kind, occurred_at, tier, quantity in events[start : start + batch]:
            aggregate = accounts.get(account)
            if aggregate is None:
                aggregate = Account(account, kind, occurred_at, tier, quantity)
                accounts[account] = aggregate
            else:
                aggregate.record(kind, occurred_at, tier, quantity)
            touched[account] = aggregate
        app.save(*touched.values())
    seconds = time.perf_counter() - started
    print(json.dumps({
        "benchmark": "eventsourcing_append", "events": len(events), "batch": batch,
        "seconds": seconds, "events_per_second": len(events) / seconds,
    }))

    ids = [Account.create_id(name) for name in sorted(accounts)]
    started = time.perf_counter()
    folded = [app.repository.get(aggregate_id) for aggregate_id in ids]
    seconds = time.perf_counter() - started
    total = sum(sum(a.counts.values()) for a in folded)
    buckets = sum(len(a.usage) for a in folded)
    usage = sum(sum(a.usage.values()) for a in folded)
    tiers = [sum(1 for a in folded if a.tier == t) for t in ("starter", "growth", "scale")]
    print(json.dumps({
        "benchmark": "eventsourcing_rebuild", "events": total, "accounts": len(folded),
        "seconds": seconds, "events_per_second": total / seconds,
        "month_buckets": buckets, "usage_sum": round(usage, 1), "tiers": tiers,
    }))
    os.sync()


if __name__ == "__main__":
    main()
