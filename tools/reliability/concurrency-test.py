#!/usr/bin/env python3
"""Run writer, reader and backup processes at once on one ledger for a bounded time.

Usage: concurrency-test.py [--binary PATH] [--seconds S] [--writers W] [--readers R]
                           [--batch-events N]

Writers append batches of marked events (see ledger_batches.py), and between batches
race each other for the next version of one shared account with `expected_version`:
every loser must exit with 75. Readers run `tierline log` on batches being written and
must see each batch complete or absent, never in part. A backup thread copies the
ledger with `tierline backup` and checks each copy. Afterwards the shared account must
hold exactly the winning appends, every acknowledged batch must be present in full,
and `tierline verify --projections` must pass. Exits 1 on the first violation.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ledger_batches as lb  # noqa: E402


class Shared:
    """Counters and the set of batches in flight, guarded by one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.in_flight = set()
        self.acknowledged = []
        self.counts = {"batches": 0, "race_wins": 0, "race_conflicts_75": 0,
                       "reader_checks": 0, "reader_partial": 0, "backups": 0,
                       "backup_failures": 0, "unexpected_exits": 0}
        self.errors = []

    def add(self, key, amount=1):
        with self.lock:
            self.counts[key] += amount

    def fail(self, text):
        with self.lock:
            self.errors.append(text)


def shared_event(writer, number, version):
    return json.dumps({
        "id": f"race-w{writer}-{number}", "type": "usage.recorded", "account": "race",
        "occurred_at": "2025-03-01T00:00:00Z", "expected_version": version,
        "data": {"metric": "seats", "quantity": 1}}) + "\n"


def writer_loop(binary, store, writer, deadline, size, state):
    number = 0
    while time.monotonic() < deadline:
        number += 1
        name = lb.batch_name(f"w{writer}", number)
        with state.lock:
            state.in_flight.add(name)
        result = lb.run(binary, store, "append", "-",
                        stdin=lb.batch_lines(f"w{writer}", number, size))
        with state.lock:
            state.in_flight.discard(name)
        if result.returncode != 0:
            state.add("unexpected_exits")
            state.fail(f"append of {name} exited {result.returncode}: {result.stderr}")
            return
        with state.lock:
            state.acknowledged.append(name)
        state.add("batches")

        version = lb.account_event_count(binary, store, "race")
        race = lb.run(binary, store, "append", "-",
                      stdin=shared_event(writer, number, version))
        if race.returncode == 0:
            state.add("race_wins")
        elif race.returncode == 75:
            state.add("race_conflicts_75")
        else:
            state.add("unexpected_exits")
            state.fail(f"race append exited {race.returncode}: {race.stderr}")
            return


def reader_loop(binary, store, deadline, size, seed, state):
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        with state.lock:
            candidates = sorted(state.in_flight) or state.acknowledged[-3:]
        if not candidates:
            time.sleep(0.01)
            continue
        name = rng.choice(candidates)
        found = lb.account_event_count(binary, store, name)
        state.add("reader_checks")
        if found not in (0, size):
            state.add("reader_partial")
            state.fail(f"reader saw {found} of {size} events of {name}")


def backup_loop(binary, store, work, deadline, size, state):
    number = 0
    while time.monotonic() < deadline:
        number += 1
        target = os.path.join(work, f"backup-{number}")
        with state.lock:
            watched = sorted(state.in_flight)
        result = lb.run(binary, store, "backup", target)
        if result.returncode != 0:
            state.add("backup_failures")
            state.fail(f"backup {number} exited {result.returncode}: {result.stderr}")
            return
        code, report, error = lb.verify(binary, target)
        if code != 0:
            state.add("backup_failures")
            state.fail(f"backup {number} does not verify: {report} {error}")
        for name in watched:
            found = lb.account_event_count(binary, target, name)
            if found not in (0, size):
                state.add("backup_failures")
                state.fail(f"backup {number} holds {found} of {size} events of {name}")
        state.add("backups")
        shutil.rmtree(target, ignore_errors=True)
        time.sleep(0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=".build/debug/tierline")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--writers", type=int, default=3)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--batch-events", type=int, default=200)
    options = parser.parse_args()
    binary = os.path.abspath(options.binary)

    work = tempfile.mkdtemp(prefix="tierline-concurrency-")
    store = os.path.join(work, "ledger")
    state = Shared()
    try:
        init = lb.run(binary, store, "init")
        if init.returncode != 0:
            sys.exit(f"tierline init failed: {init.stderr.strip()}")
        landed = json.dumps({
            "id": "race-landed", "type": "account.landed", "account": "race",
            "occurred_at": "2025-01-01T00:00:00Z",
            "data": {"tier": "starter", "acv": "6000.00", "currency": "USD",
                     "timezone": "UTC"}}) + "\n"
        if lb.run(binary, store, "append", "-", stdin=landed).returncode != 0:
            sys.exit("could not land the shared account")

        deadline = time.monotonic() + options.seconds
        threads = [threading.Thread(
            target=writer_loop,
            args=(binary, store, w, deadline, options.batch_events, state))
            for w in range(options.writers)]
        threads += [threading.Thread(
            target=reader_loop,
            args=(binary, store, deadline, options.batch_events, r, state))
            for r in range(options.readers)]
        threads.append(threading.Thread(
            target=backup_loop,
            args=(binary, store, work, deadline, options.batch_events, state)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        race_events = lb.account_event_count(binary, store, "race")
        if race_events != 1 + state.counts["race_wins"]:
            state.fail(f"shared account has {race_events} events; "
                       f"1 landing + {state.counts['race_wins']} wins expected")
        for name in state.acknowledged:
            found = lb.account_event_count(binary, store, name)
            if found != options.batch_events:
                state.fail(f"acknowledged batch {name} has {found} events")
        code, report, error = lb.verify(binary, store, "--projections")
        expected = len(state.acknowledged) * options.batch_events + race_events
        if code != 0 or report is None or not report["intact"]:
            state.fail(f"verify --projections failed ({code}): {report} {error}")
        elif report["records"] != expected:
            state.fail(f"{report['records']} records; {expected} expected")

        print(f"binary: {binary}")
        print(f"{options.writers} writers, {options.readers} readers, 1 backup thread, "
              f"{options.seconds:g} s, batches of {options.batch_events} events")
        for key, value in state.counts.items():
            print(f"{key}: {value}")
        if report is not None:
            print(f"records: {report['records']}, accounts: {report['accounts']}, "
                  f"projections compared: {report.get('projections_compared')}")
        for error_text in state.errors:
            print(f"error: {error_text}")
        sys.exit(1 if state.errors else 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
