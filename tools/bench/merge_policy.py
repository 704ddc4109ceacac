#!/usr/bin/env python3
"""Count the index runs that the merge policy of storage format 4 leaves over time.

A ledger grows by one batch of BATCH events per append. Each batch adds a run to level
0, and a level with 8 runs merges them into one run of the next level. The append then
merges its smallest runs, as many as hold at most FACTOR times the events it stored,
when at least two qualify. FACTOR 1 is what `tierline append` does, and 0 turns the
merge off. Prints the live runs and the index entries written per event after each
number of appends.

Usage: tools/bench/merge_policy.py [BATCH]
"""
import sys

FANOUT = 8


def simulate(appends, batch, factor):
    runs = []  # (level, entries)
    written = 0
    for _ in range(appends):
        runs.append((0, batch))
        written += batch
        for level in range(12):
            same = [run for run in runs if run[0] == level]
            if len(same) < FANOUT:
                break
            entries = sum(run[1] for run in same)
            written += entries
            runs = [run for run in runs if run[0] != level] + [(level + 1, entries)]
        chosen, total = [], 0
        for run in sorted(runs, key=lambda run: run[1]):
            if run[1] > factor * batch - total:
                break
            total += run[1]
            chosen.append(run)
        if len(chosen) > 1:
            written += total
            for run in chosen:
                runs.remove(run)
            runs.append((max(run[0] for run in chosen), total))
    return len(runs), written / (appends * batch)


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    ages = (30, 365, 3650)
    print("factor | " + " | ".join(f"after {age} appends: runs, entries written per event"
                                     for age in ages))
    for factor in (0, 1, 2, 4, 8):
        cells = [simulate(age, batch, factor) for age in ages]
        print(f"{factor} | " + " | ".join(f"{runs}, {written:.2f}" for runs, written in cells))


if __name__ == "__main__":
    main()
