"""Find the record size at which a raw LMDB append writes a given number of bytes per record.

Usage: python3 match_written.py LMDB_LIMIT DIR BYTES_PER_RECORD BATCH

LMDB writes whole pages, so the bytes a raw append passes to write calls per record grow
in steps as its records grow. This runs `lmdb_limit` with SCANS 0 on 20,000 records in an
empty directory DIR, which it removes again, for record sizes found by bisection, and prints
the size whose written bytes per record come nearest to BYTES_PER_RECORD.
"""

import json
import os
import shutil
import subprocess
import sys

RECORDS = 20_000
SMALLEST, LARGEST = 16, 4_000


def written_per_record(limit, directory, size, batch):
    """Return the bytes lmdb_limit writes per record when it appends RECORDS records of `size` bytes."""
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    try:
        result = subprocess.run([limit, directory, str(RECORDS), str(size), str(batch), "0"],
                                check=True, capture_output=True, text=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return json.loads(result.stdout.splitlines()[0])["written_bytes_per_record"]


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: match_written.py LMDB_LIMIT DIR BYTES_PER_RECORD BATCH")
    limit, directory, target, batch = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
    measured = {}

    def written(size):
        if size not in measured:
            measured[size] = written_per_record(limit, directory, size, batch)
        return measured[size]

    if written(SMALLEST) < 0:
        sys.exit("error: lmdb_limit could not read /proc/self/io")
    # The smallest size that writes at least the target, then whichever of it and the size
    # below comes nearer.
    low, high = SMALLEST, LARGEST
    if written(high) < target:
        sys.exit(f"error: records of {LARGEST} bytes write fewer than {target:.0f} bytes each")
    while low < high:
        middle = (low + high) // 2
        if written(middle) >= target:
            high = middle
        else:
            low = middle + 1
    best = min((size for size in (low - 1, low) if size >= SMALLEST),
               key=lambda size: abs(written(size) - target))
    print(best)


if __name__ == "__main__":
    main()
