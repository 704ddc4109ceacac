"""Find the record size at which a raw LMDB append writes a given number of bytes per record.

Usage: python3 match_written.py LMDB_LIMIT WORK_DIR BYTES_PER_RECORD BATCH

LMDB writes whole pages, so the bytes a raw append passes to write calls per record grow
in steps as its records grow. This runs `lmdb_limit` with SCANS 0 on 20,000 records for
record sizes found by bisection. Each run gets a new directory under WORK_DIR, removed
afterwards. The script prints the size whose written bytes per record come nearest to
BYTES_PER_RECORD, and exits with status 1 when no size comes within a tenth of it.
"""

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

RECORDS = 20_000
SMALLEST, LARGEST = 16, 4_000
# The largest relative gap between the requested bytes and the bytes of the size found.
TOLERANCE = 0.1


def fail(message):
    sys.exit(f"error: {message}")


def written_per_record(limit, work, size, batch):
    """Return the bytes lmdb_limit writes per record when it appends RECORDS records of `size` bytes."""
    try:
        directory = tempfile.mkdtemp(prefix="match-written-", dir=work)
    except OSError as error:
        fail(f"cannot create a directory under {work}: {error.strerror}")
    try:
        result = subprocess.run([limit, directory, str(RECORDS), str(size), str(batch), "0"],
                                capture_output=True, text=True)
    except OSError as error:
        fail(f"cannot run {limit}: {error.strerror}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if result.returncode < 0:
        fail(f"{limit} was ended by signal {-result.returncode}")
    if result.returncode != 0:
        fail(f"{limit} exited with status {result.returncode}: {result.stderr.strip()}")
    try:
        return float(json.loads(result.stdout.splitlines()[0])["written_bytes_per_record"])
    except (IndexError, KeyError, TypeError, ValueError):
        fail(f"{limit} printed no lmdb_append line with written_bytes_per_record")


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: match_written.py LMDB_LIMIT WORK_DIR BYTES_PER_RECORD BATCH")
    limit, work, target_text, batch = sys.argv[1:]
    # A name without a slash is a file here, not a program to look up on PATH.
    if os.sep not in limit:
        limit = os.path.join(os.curdir, limit)
    target = float(target_text) if re.fullmatch(r"[0-9]+(\.[0-9]+)?", target_text) else math.nan
    if not math.isfinite(target) or not 1 <= target <= 1_000_000:
        fail(f"BYTES_PER_RECORD must be a number from 1 to 1000000 ({target_text})")
    if not re.fullmatch(r"[0-9]+", batch) or int(batch) < 1:
        fail(f"BATCH must be a positive integer ({batch})")
    measured = {}

    def written(size):
        if size not in measured:
            measured[size] = written_per_record(limit, work, size, batch)
        return measured[size]

    if written(SMALLEST) < 0:
        fail(f"{limit} could not read /proc/self/io")
    if written(LARGEST) < target * (1 - TOLERANCE):
        fail(f"records of {LARGEST} bytes write {written(LARGEST):.0f} bytes each, far fewer "
             f"than {target:.0f}")
    # The smallest size that writes at least the target, then whichever of it and the size
    # below comes nearer.
    low, high = SMALLEST, LARGEST
    while low < high:
        middle = (low + high) // 2
        if written(middle) >= target:
            high = middle
        else:
            low = middle + 1
    best = min((size for size in (low - 1, low) if size >= SMALLEST),
               key=lambda size: abs(written(size) - target))
    if abs(written(best) - target) > TOLERANCE * target:
        fail(f"no record size writes about {target:.0f} bytes each: the nearest, {best} bytes, "
             f"writes {written(best):.0f}")
    print(best)


if __name__ == "__main__":
    # SIGTERM and SIGHUP then end the script through SystemExit, so that the running
    # lmdb_limit is killed and its directory removed, as for Ctrl-C.
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, lambda received, frame: sys.exit(128 + received))
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
