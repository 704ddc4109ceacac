#!/usr/bin/env python3
"""Kill `tierline append` with SIGKILL at random moments and check the ledger after each.

Usage: kill-test.py [--binary PATH] [--kills N] [--batch-events N] [--seed S]
                    [--transaction-events M]

Attempts go on until N of them were killed while running. Each appends one batch of
marked events (see ledger_batches.py) and sends SIGKILL after a random delay. Half of
the delays fall between 0 and 1.2 times the time a full append took in the calibration
run, and half between 0.7 and 1.05 times it.

After every attempt the ledger must open and `tierline verify` must pass. Every batch
whose success was printed must be present in full, and the killed batch must be present
in full or not at all. With --transaction-events M the append runs with
`--batch-size M`, so the process commits many transactions and most kills land between
or inside commits. The killed batch must then hold a multiple of M events.
Exits 1 on the first violation.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ledger_batches as lb  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=".build/debug/tierline")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--batch-events", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--transaction-events", type=int, default=None)
    options = parser.parse_args()
    binary = os.path.abspath(options.binary)
    rng = random.Random(options.seed)

    work = tempfile.mkdtemp(prefix="tierline-kill-")
    store = os.path.join(work, "ledger")
    batch_file = os.path.join(work, "batch.ndjson")
    try:
        init = lb.run(binary, store, "init")
        if init.returncode != 0:
            sys.exit(f"tierline init failed: {init.stderr.strip()}")

        acknowledged = set()
        present = set()
        counts = {"attempts": 0, "killed_running": 0, "finished_first": 0,
                  "committed_unacknowledged": 0, "absent_after_kill": 0,
                  "stored_in_part_by_transaction": 0, "partial": 0, "verify_failures": 0}
        stored_events = 0
        step = options.transaction_events or options.batch_events

        def attempt(number, delay):
            with open(batch_file, "w", encoding="utf-8") as handle:
                handle.write(lb.batch_lines("kill", number, options.batch_events))
            started = time.monotonic()
            extra = []
            if options.transaction_events:
                extra = ["--batch-size", str(options.transaction_events)]
            process = subprocess.Popen(
                [binary, "--store", store, "append", *extra, batch_file],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            killed = False
            if delay is not None:
                try:
                    process.wait(timeout=delay)
                except subprocess.TimeoutExpired:
                    process.send_signal(signal.SIGKILL)
                    killed = True
            output, _ = process.communicate()
            return killed, output, time.monotonic() - started

        # Calibration: one batch without a kill gives the time a whole append takes.
        _, output, duration = attempt(0, None)
        if not output.startswith("Appended"):
            sys.exit(f"calibration append failed: {output!r}")
        acknowledged.add(0)
        present.add(0)
        stored_events = options.batch_events

        number = 0
        while counts["killed_running"] < options.kills:
            number += 1
            counts["attempts"] += 1
            # Half of the delays aim at the last part of the run, where the write
            # transaction and its commit happen after the input is parsed.
            if rng.random() < 0.5:
                delay = rng.uniform(0, duration * 1.2)
            else:
                delay = rng.uniform(duration * 0.7, duration * 1.05)
            killed, output, _ = attempt(number, delay)
            printed = output.startswith("Appended")
            if killed:
                counts["killed_running"] += 1
            else:
                counts["finished_first"] += 1
            if printed:
                acknowledged.add(number)

            code, report, error = lb.verify(binary, store)
            if code != 0 or report is None or not report["intact"]:
                counts["verify_failures"] += 1
                sys.exit(f"attempt {number}: verify failed ({code}): {report} {error}")

            found = lb.account_event_count(binary, store, lb.batch_name("kill", number))
            stored_events += found
            if found % step != 0:
                counts["partial"] += 1
                sys.exit(f"attempt {number}: {found} events stored, not a multiple of {step}")
            if 0 < found < options.batch_events:
                counts["stored_in_part_by_transaction"] += 1
                if printed:
                    sys.exit(f"attempt {number}: success printed but {found} events stored")
            elif found == options.batch_events:
                present.add(number)
                if not printed:
                    counts["committed_unacknowledged"] += 1
            elif found == 0:
                counts["absent_after_kill"] += 1
                if printed:
                    sys.exit(f"attempt {number}: success was printed but the batch is absent")

            expected = stored_events
            if report["records"] != expected:
                sys.exit(f"attempt {number}: {report['records']} records, expected {expected}")
            missing = acknowledged - present
            if missing:
                sys.exit(f"attempt {number}: acknowledged batches missing: {sorted(missing)}")

        print(f"binary: {binary}")
        print(f"batch: {options.batch_events} events, transactions of {step} events; "
              f"full append took {duration:.2f} s")
        for key, value in counts.items():
            print(f"{key}: {value}")
        print(f"batches acknowledged: {len(acknowledged)}, present in full: {len(present)}")
        print(f"records at the end: {stored_events}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
