"""Write docs/benchmarks.md from the raw results of tools/bench/run.sh.

Usage: python3 summarize.py RESULTS_DIR OUTPUT.md [run.sh options]
"""

import json
import os
import re
import statistics
import sys

GIB = 1024**3
TARGET_REBUILD_RATE = 5_000_000

# The databases each layout of tools/bench/index_layouts.c writes, in table order.
LAYOUT_WRITES = {
    "log": "log only",
    "none": "log and event-id index",
    "dupsort": "plus 16-byte account-index entries, the layout of storage format 1",
    "dupcopy": "plus account-index entries carrying a record copy, the layout of formats 2 "
               "and 3",
    "flat": "plus one empty-valued index key (account, time, position) per event",
    "covering": "like flat, with a record copy as each index value",
    "runs": "log, plus both indexes as sorted runs that merge 8 at a time, one entry "
            "per key, and a Bloom filter per run over its event ids: the layout of format "
            "4, which Tierline writes, without its count entries",
    "packed": "like runs, with each run's entries packed into 4 KiB values",
}


# The name of an index_layouts run with --time-ordered-ids is its layout's followed by this.
TIME_ORDERED_SUFFIX = ", time-ordered ids"


def layout_writes(name):
    """Return what an index_layouts run writes, from its name in the table."""
    if name.endswith(TIME_ORDERED_SUFFIX):
        base = name[: -len(TIME_ORDERED_SUFFIX)]
        return (LAYOUT_WRITES.get(base, "not described")
                + ", with event ids that sort by time (UUIDv7) as `event_ids` keys")
    return LAYOUT_WRITES.get(name, "not described")


def positive(value):
    """Return `value` when it is a number above zero, else None."""
    return value if isinstance(value, (int, float)) and value > 0 else None


def rounds_label(small, large):
    """Return the words naming the alternating rounds of two sizes behind a verdict."""
    if len(small) == len(large):
        return f"medians of {len(small)} alternating rounds"
    return f"medians of {len(small)} and {len(large)} alternating rounds"


def read_lines(path):
    """Return the JSON objects of a JSON-lines file, or [] when it is missing."""
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as source:
        return [json.loads(line) for line in source if line.strip()]


def read_json(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as source:
        return json.load(source)


def read_text(path, strip_leading=True):
    """Return a file's text without surrounding blank space, or "" when it is missing."""
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as source:
        text = source.read()
    return text.strip() if strip_leading else text.rstrip()


def max_rss_bytes(path):
    """Return the maximum resident set size from a `/usr/bin/time -v` report."""
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", read_text(path))
    return int(match.group(1)) * 1024 if match else None


def elapsed_seconds(path):
    match = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", read_text(path))
    if not match:
        return None
    hours = int(match.group(1) or 0)
    return hours * 3600 + int(match.group(2)) * 60 + float(match.group(3))


def rate(value):
    """Format events per second."""
    if value is None:
        return "n/a"
    if value >= 1e6:
        return f"{value / 1e6:.2f} M/s"
    return f"{value / 1e3:.1f} k/s"


def spread(values, unit_rate=True):
    """Format the median and the range of a list of rates."""
    if not values:
        return "n/a", "n/a"
    return rate(statistics.median(values)), f"{rate(min(values))} to {rate(max(values))}"


def ratio(numerator, denominator):
    if not numerator or not denominator:
        return None
    return numerator / denominator


def times(value):
    return "n/a" if value is None else f"{value:.2f}×"


def hyperfine_rates(path, events):
    """Return events per second for each run of a hyperfine export."""
    data = read_json(path)
    if not data:
        return []
    return [events / t for t in data["results"][0]["times"]]


def hyperfine_times(path):
    data = read_json(path)
    if not data:
        return None
    result = data["results"][0]
    return result


class Size:
    """The results of one ledger size."""

    def __init__(self, directory):
        self.accounts = int(os.path.basename(directory))
        self.events = int(read_text(os.path.join(directory, "events.txt")) or 0)
        path = lambda name: os.path.join(directory, name)
        self.process_append = hyperfine_rates(path("append-process.json"), self.events)
        self.ingest = [r["events_per_second"] for r in read_lines(path("ingest.jsonl"))]
        self.decode = next(iter(read_lines(path("decode.jsonl"))), None)
        self.scan = read_json(path("scan.json")) or {}
        self.disk_bytes = int(read_text(path("disk-bytes.txt")) or 0)
        limit = read_lines(path("limit.jsonl"))
        self.limit_append = [r["records_per_second"] for r in limit if r["benchmark"] == "lmdb_append"]
        self.limit_scan = [r["records_per_second"] for r in limit if r["benchmark"] == "lmdb_scan"]
        self.limit_scan_threads = [
            r["records_per_second"] for r in limit if r["benchmark"] == "lmdb_scan_threads"]
        self.limit_record_bytes = next(
            (r["record_bytes"] for r in limit if r["benchmark"] == "lmdb_append"), None)
        # Bytes passed to write calls per record or event. A -1 or a missing field means
        # that /proc/self/io could not be read, so such a figure is left out.
        self.limit_written = positive(next(
            (r.get("written_bytes_per_record") for r in limit if r["benchmark"] == "lmdb_append"),
            None))
        self.ingest_written = [r["written_bytes_per_event"] for r in read_lines(path("ingest.jsonl"))
                               if positive(r.get("written_bytes_per_event"))]
        # The raw append of records sized to the bytes Tierline's append writes per event,
        # kept only when both byte counts are known.
        sized = read_lines(path("limit-written.jsonl"))
        self.sized_written = next(
            filter(None, (positive(r.get("written_bytes_per_record")) for r in sized)), None)
        if not (self.sized_written and self.ingest_written):
            sized = []
        self.sized_append = [r["records_per_second"] for r in sized]
        self.sized_record_bytes = sized[0]["record_bytes"] if sized else None
        # A run with time-ordered ids is a row of its own, named after its layout.
        layouts = read_lines(path("layouts.jsonl"))
        self.layout_loads = {}
        self.layout_queries = {}
        name = None
        for record in layouts:
            if record["measurement"] == "load":
                name = record["layout"]
                if record.get("ids") == "time-ordered":
                    name += TIME_ORDERED_SUFFIX
                self.layout_loads[name] = record
            elif record["measurement"] == "query" and name is not None:
                self.layout_queries[name] = record
        self.rebuild = {r["threads"]: r for r in read_lines(path("rebuild.jsonl"))}
        self.rebuild_rss = max_rss_bytes(path("rebuild-rss.time"))
        self.replay_rss = max_rss_bytes(path("replay-rss.time"))
        self.replay_seconds = elapsed_seconds(path("replay-rss.time"))
        self.bulk_seconds = elapsed_seconds(path("bulk-load.time"))
        self.bulk_rss = max_rss_bytes(path("bulk-load.time"))
        self.query = read_json(path("query.json")) or {}
        self.query_process = hyperfine_times(path("query-process.json"))
        # The same queries on the ledger appended with --no-merge.
        self.query_unmerged = read_json(path("query-unmerged.json")) or {}
        self.query_unmerged_rounds = [
            r["p50_seconds"] / r["mean_events_per_account"]
            for r in read_lines(path("query-unmerged-rounds.jsonl"))]
        # The share of the in-process ingest that merged the index runs after the batches.
        self.ingest_merge = [r["merge_seconds"] for r in read_lines(path("ingest.jsonl"))
                             if "merge_seconds" in r]
        self.ingest_seconds = [r["seconds"] for r in read_lines(path("ingest.jsonl"))]
        # `tierline compact` on a copy of the --no-merge ledger, then the same queries on
        # that copy.
        self.compact = read_json(path("compact.json")) or {}
        self.compact_seconds = elapsed_seconds(path("compact.time"))
        self.compact_rss = max_rss_bytes(path("compact.time"))
        self.compact_disk_bytes = int(read_text(path("compact-disk-bytes.txt")) or 0)
        self.unmerged_disk_bytes = int(read_text(path("unmerged-disk-bytes.txt")) or 0)
        self.unmerged_load_seconds = elapsed_seconds(path("unmerged-load.time"))
        self.query_compacted = read_json(path("query-compacted.json")) or {}
        self.query_compacted_rounds = [
            r["p50_seconds"] / r["mean_events_per_account"]
            for r in read_lines(path("query-compacted-rounds.jsonl"))]
        # The p50 per event of each alternating round of every size's queries.
        self.query_rounds = [r["p50_seconds"] / r["mean_events_per_account"]
                             for r in read_lines(path("query-rounds.jsonl"))]
        rebuild_rounds = [r for r in read_lines(path("rebuild-rounds.jsonl"))
                          if positive(r.get("events_per_second"))]
        self.rebuild_rounds = [r["events_per_second"] for r in rebuild_rounds]
        self.rebuild_round_repetitions = sorted(
            {r["repetitions"] for r in rebuild_rounds
             if isinstance(r.get("repetitions"), int) and r["repetitions"] > 0})
        sqlite = read_lines(path("sqlite.jsonl"))
        self.sqlite_append = [r["events_per_second"] for r in sqlite if r["benchmark"] == "sqlite_append"]
        self.sqlite_rebuild = [r["events_per_second"] for r in sqlite if r["benchmark"] == "sqlite_rebuild"]
        self.sqlite_check = next((r for r in sqlite if r["benchmark"] == "sqlite_rebuild"), None)
        python = read_lines(path("eventsourcing.jsonl"))
        self.python_append = [r["events_per_second"] for r in python if r["benchmark"] == "eventsourcing_append"]
        self.python_rebuild = [r["events_per_second"] for r in python if r["benchmark"] == "eventsourcing_rebuild"]
        self.python_check = next((r for r in python if r["benchmark"] == "eventsourcing_rebuild"), None)
        self.profile_dso = read_text(path("profile-dso.txt"), strip_leading=False)
        self.profile_symbols = read_text(path("profile-symbols.txt"), strip_leading=False)

    def median(self, values):
        return statistics.median(values) if values else None

    def rebuild_rate(self, threads):
        entry = self.rebuild.get(threads)
        return entry["events_per_second"] if entry else None

    def rebuild_range(self, threads):
        entry = self.rebuild.get(threads)
        if not entry:
            return "n/a"
        fast = entry["events"] / entry["min_seconds"]
        slow = entry["events"] / entry["max_seconds"]
        return f"{rate(slow)} to {rate(fast)}"


def verdict(met):
    return "met" if met else "missed"


def layout_table(size):
    """Return the lines of a size's table of index_layouts runs, or [] without any."""
    if not size.layout_loads:
        return []
    first = next(iter(size.layout_loads.values()))
    lines = [
        "The same writes in C, one run per layout of `tools/bench/index_layouts.c`. Each "
        f"run loads {first['events']:,} events as {first['record_bytes']}-byte records "
        f"(Tierline's mean stored record) in transactions of {first['batch']:,}, then "
        "times 2,000 one-account reads with the page cache warm.",
        "",
    ]
    if first["events"] != size.events:
        lines += [f"NOTE: these runs loaded {first['events']:,} events, not the "
                  f"{size.events:,} of the measurements above.", ""]
    lines += [
        "| layout | writes | append | `data.mdb` bytes per event | query p50 | query p99 |",
        "|---|---|---|---|---|---|",
    ]
    order = [name for name in LAYOUT_WRITES if name in size.layout_loads]
    order += [name + TIME_ORDERED_SUFFIX for name in LAYOUT_WRITES
              if name + TIME_ORDERED_SUFFIX in size.layout_loads]
    order += [name for name in size.layout_loads if name not in order]
    for name in order:
        load = size.layout_loads[name]
        query = size.layout_queries.get(name)
        p50 = f"{query['p50_us'] / 1e3:.3f} ms" if query else "n/a"
        p99 = f"{query['p99_us'] / 1e3:.3f} ms" if query else "n/a"
        lines.append(f"| {name} | {layout_writes(name)} | "
                     f"{rate(load['events_per_second'])} | "
                     f"{load['file_bytes_per_event']:.0f} | {p50} | {p99} |")
    lines.append("")
    return lines


def missed_reasons(missed, sizes):
    """Return one line per kind of missed target, with the figures of this run that
    explain it, or none when the run lacks them. `missed` contains each missed target's
    name and size label."""
    names = [name for name, _ in missed]
    reasons = []
    small = sizes[0] if sizes else None
    if small and any(n.startswith("ingest") or n.startswith("append ≥ 50×") for n in names):
        written = small.median(small.ingest_written)
        sized, raw = small.median(small.sized_append), small.median(small.limit_append)
        if written and small.limit_written and sized and raw:
            reasons.append(
                f"- Ingest and append: Tierline writes {written / small.limit_written:.1f} "
                f"times the bytes per event of the raw append ({written:.0f} against "
                f"{small.limit_written:.0f}), for the event-id and account indexes, their "
                f"record copies and their merges. A raw append of that many bytes, with none "
                f"of Tierline's work, runs at {times(ratio(sized, raw))} the raw rate.")

    if any(n.startswith("rebuild ≥ 5M") for n in names):
        labels = {label for name, label in missed if name.startswith("rebuild ≥ 5M")}
        for size in sizes:
            if size.rebuild_rate(1) and f"{size.events / 1e6:.1f}M" in labels:
                reasons.append(
                    f"- One-core rebuild, {size.events / 1e6:.1f}M: its repetitions ran from "
                    f"{size.rebuild_range(1)} in this run. Other runs met the 5 M/s, and the "
                    f"full explanation lists how far this shared host moved them.")

    if any(n.startswith("rebuild ≥ 0.25×") for n in names):
        for size in sizes:
            checked = size.scan.get("scan_records_per_second")
            raw = size.median(size.limit_scan)
            single_thread = size.rebuild_rate(1)
            if checked and raw and single_thread:
                reasons.append(
                    f"- Rebuild against the raw scan, {size.events / 1e6:.1f}M: reading the "
                    f"log with its header and CRC-32C checks alone runs at {rate(checked)}, "
                    f"{times(ratio(checked, raw))} the raw scan; decoding, grouping by account "
                    f"and folding bring the rebuild to {rate(single_thread)}.")
                break

    if any(n.startswith("near-linear") for n in names):
        parts, ratios = [], []
        for size in sizes:
            raw, raw_two = size.median(size.limit_scan), size.median(size.limit_scan_threads)
            if raw and raw_two:
                ratios.append(raw_two / raw)
                parts.append(f"{times(ratio(raw_two, raw))} at {size.events / 1e6:.1f}M")
        if parts:
            if max(ratios) < 1.9:
                room = "so this machine leaves little room above the 1.8 times. The fold"
            elif min(ratios) >= 1.9:
                room = "so the machine allows it, and the gap is Tierline's. The fold"
            else:
                room = ("so the host's share of the gap changed between the sizes. The fold "
                        "also")
            reasons.append(
                "- Speed-up: the raw LMDB scan itself sped up " + " and ".join(parts)
                + f" on 2 threads in this run, {room} costs more CPU on two threads than on "
                "one, in the scan of the log as in the fold of the accounts, as the full "
                "explanation shows.")

    if any("--no-merge" in n for n in names):
        runs = [f"{size.compact['runs_before']} at {size.events / 1e6:.1f}M events"
                for size in sizes if size.compact.get("runs_before")]
        if runs:
            reasons.append(
                "- Query growth with `--no-merge`: a query seeks the account in every index "
                "run, and the batches leave " + " and ".join(runs) + ". An append without "
                "`--no-merge` ends by merging them, and `tierline compact` merges them later.")

    return reasons


def against_c_rows(sizes):
    """Return the rows comparing Tierline with the layouts written in C."""
    rows = []
    for size in sizes:
        label = f"{size.events / 1e6:.1f}M"
        ingest = size.median(size.ingest)
        # The runs layout is close to storage format 4, dupcopy the layout of formats 2
        # and 3.
        for layout in ("runs", "dupcopy"):
            load = size.layout_loads.get(layout)
            if ingest and load:
                c_rate = load["events_per_second"]
                rows.append((f"Tierline in-process ingest / C {layout} append", label,
                             f"{times(ratio(ingest, c_rate))} ({rate(ingest)} vs {rate(c_rate)})"))
        for layout in ("runs", "dupcopy"):
            query = size.layout_queries.get(layout)
            if size.query and query:
                p99 = size.query["p99_seconds"] * 1e3
                c_p99 = query["p99_us"] / 1e3
                rows.append((f"Tierline query p99 / C {layout} query p99", label,
                             f"{times(ratio(p99, c_p99))} ({p99:.3f} ms vs {c_p99:.3f} ms)"))
        # How far two threads speed up the raw scan on this machine, beside the rebuild's
        # speed-up of the targets table.
        limit_scan = size.median(size.limit_scan)
        limit_scan_threads = size.median(size.limit_scan_threads)
        if limit_scan and limit_scan_threads:
            rows.append(("raw LMDB cursor scan, 2 threads / 1 thread", label,
                         f"{times(ratio(limit_scan_threads, limit_scan))} "
                         f"({rate(limit_scan_threads)} vs {rate(limit_scan)})"))
        # How many bytes each append passes to write calls per event, and what the raw
        # append reaches when it writes as many.
        ingest_written = size.median(size.ingest_written)
        if ingest_written and size.limit_written and size.limit_written > 0:
            rows.append(("bytes written per event, Tierline append / raw LMDB append", label,
                         f"{times(ratio(ingest_written, size.limit_written))} "
                         f"({ingest_written:.0f} vs {size.limit_written:.0f} bytes)"))
        sized_append = size.median(size.sized_append)
        limit_append = size.median(size.limit_append)
        if sized_append and limit_append:
            rows.append(("raw LMDB append writing Tierline's bytes per event / raw LMDB append",
                         label, f"{times(ratio(sized_append, limit_append))} "
                         f"({rate(sized_append)} vs {rate(limit_append)}, "
                         f"{size.sized_record_bytes}-byte records)"))
        # What merged sorted runs would give, against the raw append of the targets table.
        packed = size.layout_loads.get("packed")
        if packed and limit_append:
            c_rate = packed["events_per_second"]
            rows.append(("C packed append / raw LMDB append", label,
                         f"{times(ratio(c_rate, limit_append))} "
                         f"({rate(c_rate)} vs {rate(limit_append)})"))
    return rows


def main():
    results, output = sys.argv[1], sys.argv[2]
    options = " ".join(sys.argv[3:])
    sizes = sorted(
        (Size(os.path.join(results, name)) for name in os.listdir(results)
         if name.isdigit()), key=lambda s: s.accounts)
    machine = read_text(os.path.join(results, "machine.txt"))
    load = read_text(os.path.join(results, "load.txt"))

    lines = []
    add = lines.append
    add("# Benchmarks")
    add("")
    if "--no-python" in options:
        add("Tierline measured side by side with raw LMDB (the physical limit for its log) and")
        add("plain SQLite through its C API (the `eventsourcing` peer was left out with")
        add("`--no-python`), on the same generated events in one run. Absolute times drift on this")
    else:
        add("Tierline measured side by side with raw LMDB (the physical limit for its log), plain")
        add("SQLite through its C API, and the Python `eventsourcing` library with its SQLite")
        add("recorder, on the same generated events in one run. Absolute times drift on this")
    add("shared machine, so the ratios between columns of the same run are the figures to")
    add("compare. Every number in the tables below comes from that run, and figures in the")
    add("text from other runs say so. Regenerate this page with:")
    add("")
    add("```sh")
    add(f"tools/bench/run.sh {options}".rstrip())
    add("```")
    add("")
    # The verdicts, filled in once the targets are computed below.
    summary_at = len(lines)
    add("")
    add("")
    add("The script needs `swift`, `cc`, `hyperfine`, `liblmdb-dev`, `libsqlite3-dev`,")
    add("`python3-venv`, `/usr/bin/time` and, for the profiles, `perf`. It installs the")
    add("missing Debian packages among them with apt-get, except `perf`, whose package")
    add("depends on the kernel, and installs `eventsourcing` 9.5.6 from PyPI into a venv")
    add("under `tools/bench/work/`. A full run took about 7.5 minutes on this machine with")
    add("its 11M-event ledgers already loaded, one with and one without the merge at the")
    add("end of the append. Generating the events took a minute and loading both ledgers")
    add("about 4.5 minutes more. It needs about 10 GB of disk under `tools/bench/work/`,")
    add("4.3 GB more while the compacted copy of the 11M-event ledger exists, and 3 GB of")
    add("memory for the load. A later run reuses the ledgers while their event count and")
    add("storage format are unchanged. `--quick`")
    add("(110,000 events, under a minute once the build is done) tries the harness")
    add("without the large ledgers, `--no-large` leaves out the 11M-event ledger, and")
    add("`--no-python` the `eventsourcing` peer and its PyPI install. A run")
    add("without `--quick` rewrites docs/benchmarks.md in the working tree; a quick run")
    add("writes `tools/bench/work/benchmarks-quick.md` instead. While it runs, hyperfine may")
    add("warn of statistical outliers when other work shares the machine, and in a quick run")
    add("of commands under 5 ms. Both are expected, and the ranges in the tables show the spread.")
    if "--quick" in options:
        add("")
        add("This page comes from a quick run of one small ledger. The text after the tables")
        add("is tools/bench/analysis.md, written for the full runs: its figures for the")
        add("11M-event ledger, for the growth between sizes and for the profiles are not")
        add("from this page's run, and a profile of so short a rebuild is mostly the")
        add("process's start. A rebuild of the small ledger takes a few milliseconds, so")
        add("starting the second thread can cost more than it saves, and the speed-up on 2")
        add("threads may come out below 1.")
    add("")
    add("Rates are events per second (k/s thousands, M/s millions). In the table of each")
    add("ledger size, *median* is the median over the measurements, *range over runs* the")
    add("slowest and the fastest of them, or how a single figure was taken, and *runs* their")
    add("number. Sizes are named by accounts in headings and by events (1.1M, 11.0M) in the")
    add("ratio tables. The targets are the project's performance goals; the section after")
    add("the tables explains each miss.")
    add("")
    add("Where to look: [Ratios and targets](#ratios-and-targets) gives every target with")
    add("its verdict in this run. [Why the targets are missed](#why-the-targets-are-missed-and-what-would-close-each)")
    add("explains each miss, with the figures of earlier runs for comparison.")
    add("")
    add("## Machine and load")
    add("")
    add("```text")
    add(machine)
    add("```")
    add("")
    add("Load averages (1, 5, 15 minutes) when each step started. Other developers build on")
    add("the same two cores, so loads above 1 mean the measurement shared the CPU.")
    add("")
    add("```text")
    add(load)
    add("```")
    add("")

    for size in sizes:
        add(f"## {size.accounts:,} accounts, {size.events:,} events")
        add("")
        add("| measurement | median | range over runs | runs |")
        add("|---|---|---|---|")

        def spread_row(label, values):
            """Add the row of `label` with the median, range and count of `values`."""
            median, span = spread(values)
            add(f"| {label} | {median} | {span} | {len(values)} |")

        if size.process_append:
            spread_row("`tierline append --batch-size 1000`, whole process", size.process_append)
        if size.ingest:
            spread_row("`Ledger.append`, batches of 1,000, in-process", size.ingest)
        if size.decode:
            add(f"| reading the NDJSON input alone, in-process: line splitting, JSON "
                f"parsing and field checks | {rate(size.decode['events_per_second'])} | "
                f"median of {size.decode['repetitions']} | {size.decode['repetitions']} |")
        if size.bulk_seconds:
            add(f"| bulk load, `tierline append --batch-size 100000` | "
                f"{rate(size.events / size.bulk_seconds)} | one run "
                f"({size.bulk_seconds:.0f} s, max RSS {size.bulk_rss / GIB:.2f} GiB) | 1 |")
        spread_row(f"raw LMDB `MDB_APPEND`, {size.limit_record_bytes}-byte records, batches "
                   f"of 1,000", size.limit_append)
        if size.sized_append:
            spread_row(f"raw LMDB `MDB_APPEND`, {size.sized_record_bytes}-byte records, "
                       f"{size.sized_written:.0f} bytes written per record (Tierline's append: "
                       f"{size.median(size.ingest_written):.0f} per event), batches of 1,000",
                       size.sized_append)
        for threads in sorted(size.rebuild):
            entry = size.rebuild[threads]
            add(f"| full rebuild, {threads} thread{'s' if threads > 1 else ''} | "
                f"{rate(entry['events_per_second'])} | {size.rebuild_range(threads)} "
                f"| {entry['repetitions']} |")
        if size.scan:
            add(f"| log scan through the store (cursor, header and CRC-32C checks) | "
                f"{rate(size.scan['scan_records_per_second'])} | median of 3 | 3 |")
            add(f"| log scan plus `EventCodec.decode` of each record | "
                f"{rate(size.scan['decode_records_per_second'])} | median of 3 | 3 |")
        spread_row("raw LMDB cursor scan, repeated for at least 0.2 s", size.limit_scan)
        if size.limit_scan_threads:
            spread_row("raw LMDB cursor scan, 2 threads, each reading half of the keys, "
                       "repeated for at least 0.2 s", size.limit_scan_threads)
        if size.sqlite_append:
            spread_row("plain SQLite append, transactions of 1,000", size.sqlite_append)
            spread_row("plain SQLite per-account read and simple fold", size.sqlite_rebuild)
        if size.python_append:
            spread_row("eventsourcing append, saves of 1,000", size.python_append)
            spread_row("eventsourcing read back and simple fold", size.python_rebuild)
        add("")
        if size.query:
            add(f"Point query of one account (mean "
                f"{size.query['mean_events_per_account']:.0f} events per account), "
                f"{size.query['samples']} random accounts in-process: p50 "
                f"{size.query['p50_seconds'] * 1e3:.3f} ms, p99 "
                f"{size.query['p99_seconds'] * 1e3:.3f} ms, max "
                f"{size.query['max_seconds'] * 1e3:.3f} ms.")
        if size.query_rounds:
            add(f"The same queries in {len(size.query_rounds)} rounds that alternate "
                f"between the sizes at the end of the run: p50 per event "
                + ", ".join(f"{value * 1e9:.0f} ns" for value in size.query_rounds) + ".")
        if size.rebuild_rounds:
            repetitions = " or ".join(str(n) for n in size.rebuild_round_repetitions)
            per_round = f", each the median of {repetitions}" if repetitions else ""
            add(f"One-thread rebuilds in {len(size.rebuild_rounds)} "
                f"round{'s' if len(size.rebuild_rounds) > 1 else ''} at the end of the run, "
                f"alternating between the sizes{per_round}: "
                + ", ".join(rate(value) for value in size.rebuild_rounds) + ".")
        if size.query_process:
            q = size.query_process
            add(f"As a whole `tierline replay --account` process: median "
                f"{q['median'] * 1e3:.1f} ms, range {q['min'] * 1e3:.1f} to "
                f"{q['max'] * 1e3:.1f} ms over {len(q['times'])} runs.")
        if size.ingest_merge and size.ingest_seconds:
            add(f"The in-process ingest includes the merge of the index runs after its last "
                f"batch, as `tierline append` does: "
                + ", ".join(f"{m:.2f} of {t:.2f} s" for m, t in
                            zip(size.ingest_merge, size.ingest_seconds)) + ".")
        if size.query_unmerged:
            q = size.query_unmerged
            took = (f" (the append took {size.unmerged_load_seconds:.1f} s)"
                    if size.unmerged_load_seconds else "")
            add(f"The same queries on the ledger appended with `--no-merge`{took}, which keeps "
                f"the index runs of its batches: p50 {q['p50_seconds'] * 1e3:.3f} ms, p99 "
                f"{q['p99_seconds'] * 1e3:.3f} ms, max {q['max_seconds'] * 1e3:.3f} ms.")
        if size.query_unmerged_rounds:
            add(f"In the alternating rounds: p50 per event "
                + ", ".join(f"{value * 1e9:.0f} ns" for value in size.query_unmerged_rounds)
                + ".")
        if size.query_compacted_rounds:
            add(f"The compacted copy in the alternating rounds: p50 per event "
                + ", ".join(f"{value * 1e9:.0f} ns" for value in size.query_compacted_rounds)
                + ".")
        if size.compact.get("merged") and size.query_compacted:
            q = size.query_compacted
            add(f"`tierline compact` merged the {size.compact['runs_before']} index runs of a "
                f"copy of the `--no-merge` ledger into one in {size.compact_seconds:.1f} s, with a max RSS "
                f"of {size.compact_rss / 2**20:.0f} MiB, and `data.mdb` grew from "
                f"{(size.unmerged_disk_bytes or size.disk_bytes) / 2**20:.0f} to {size.compact_disk_bytes / 2**20:.0f} MiB. "
                f"The same queries on the copy: p50 {q['p50_seconds'] * 1e3:.3f} ms, p99 "
                f"{q['p99_seconds'] * 1e3:.3f} ms, max {q['max_seconds'] * 1e3:.3f} ms.")
        add("")
        if size.disk_bytes:
            add(f"On disk: `data.mdb` takes {size.disk_bytes / 2**20:.0f} MiB, "
                f"{size.disk_bytes / size.events:.0f} bytes per event; the mean stored "
                f"record (24-byte header and encoded event) is "
                f"{size.scan.get('mean_record_bytes', 0):.1f} bytes.")
        if size.rebuild_rss:
            add(f"Peak memory (max RSS, `/usr/bin/time -v`) of one single-threaded full "
                f"rebuild: {size.rebuild_rss / 2**20:.0f} MiB.")
        single = size.rebuild.get(1)
        if single and "rss_anonymous_bytes" in single and single.get("thread_counts_alternated", 1) > 1:
            add(f"The timed rebuilds ran {single['repetitions']} times on each thread count, "
                f"alternating between the counts, in one separate process, which kept its "
                f"allocator's free memory. At their end, "
                f"{single['rss_anonymous_bytes'] / 2**20:.0f} "
                f"MiB of the resident set was anonymous memory and "
                f"{single['rss_file_bytes'] / 2**20:.0f} MiB file-backed (binaries and the "
                f"pages of the LMDB map read since the last release).")
        elif single and "rss_anonymous_bytes" in single:
            add(f"The timed single-threaded rebuilds ran {single['repetitions']} times in one "
                f"separate process, which kept its allocator's free memory. At their end, "
                f"{single['rss_anonymous_bytes'] / 2**20:.0f} "
                f"MiB of the resident set was anonymous memory and "
                f"{single['rss_file_bytes'] / 2**20:.0f} MiB file-backed (binaries and the "
                f"pages of the LMDB map read since the last release).")
        if size.replay_rss:
            add(f"`tierline replay --json > /dev/null` over every account took "
                f"{size.replay_seconds:.1f} s with a max RSS of "
                f"{size.replay_rss / 2**20:.0f} MiB.")
        add("")
        checks = [c for c in (size.sqlite_check, size.python_check) if c]
        if checks:
            add("Fold cross-check (the same totals from every peer): " + "; ".join(
                f"{c['benchmark'].split('_')[0]}: {c['accounts']} accounts, "
                f"{c['events']} events, {c['month_buckets']} account-months, usage sum "
                f"{c['usage_sum']}, tiers {c['tiers']}" for c in checks) + ".")
            add("")
        lines.extend(layout_table(size))

    add("## Ratios and targets")
    add("")
    add("| target | size | measured | verdict |")
    add("|---|---|---|---|")
    targets = []
    for size in sizes:
        label = f"{size.events / 1e6:.1f}M"
        ingest = size.median(size.ingest) or size.median(size.process_append)
        limit_append = size.median(size.limit_append)
        if ingest and limit_append:
            r = ingest / limit_append
            targets.append(("ingest ≥ 0.5× raw LMDB append", label,
                            f"{times(r)} ({rate(ingest)} vs {rate(limit_append)})", r >= 0.5))
        one = size.rebuild_rate(1)
        two = size.rebuild_rate(2)
        if one:
            targets.append(("rebuild ≥ 5M events/s on one core", label, rate(one),
                            one >= TARGET_REBUILD_RATE))
            limit_scan = size.median(size.limit_scan)
            if limit_scan:
                r = one / limit_scan
                targets.append(("rebuild ≥ 0.25× raw cursor scan", label,
                                f"{times(r)} ({rate(one)} vs {rate(limit_scan)})", r >= 0.25))
        if one and two:
            r = two / one
            targets.append(("near-linear speed-up on 2 cores", label, times(r), r >= 1.8))
        if size.query:
            p99 = size.query["p99_seconds"] * 1e3
            targets.append(("point query p99 < 1 ms in-process", label, f"{p99:.3f} ms",
                            p99 < 1.0))
        if size.rebuild_rss:
            targets.append(("rebuild peak memory < 1 GiB", label,
                            f"{size.rebuild_rss / 2**20:.0f} MiB", size.rebuild_rss < GIB))
        python_append = size.median(size.python_append)
        python_rebuild = size.median(size.python_rebuild)
        if ingest and python_append:
            r = ingest / python_append
            targets.append(("append ≥ 50× eventsourcing", label, times(r), r >= 50))
        if one and python_rebuild:
            r = one / python_rebuild
            targets.append(("rebuild ≥ 50× eventsourcing", label, times(r), r >= 50))
        sqlite_append = size.median(size.sqlite_append)
        sqlite_rebuild = size.median(size.sqlite_rebuild)
        if ingest and sqlite_append:
            r = ingest / sqlite_append
            targets.append(("append ahead of plain SQLite", label, times(r), r > 1))
        if one and sqlite_rebuild:
            r = one / sqlite_rebuild
            targets.append(("rebuild ahead of plain SQLite", label, times(r), r > 1))
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for state, small_query, large_query, small_rounds, large_rounds in [
            ("as appended", small.query, large.query, small.query_rounds, large.query_rounds),
            ("appended with `--no-merge`", small.query_unmerged, large.query_unmerged,
             small.query_unmerged_rounds, large.query_unmerged_rounds),
            ("after `tierline compact` of the `--no-merge` ledger", small.query_compacted,
             large.query_compacted, small.query_compacted_rounds,
             large.query_compacted_rounds),
        ]:
            if not (small_query and large_query):
                continue
            per_small = small_query["p50_seconds"] / small_query["mean_events_per_account"]
            per_large = large_query["p50_seconds"] / large_query["mean_events_per_account"]
            source = ""
            # The alternating rounds measure both sizes close in time, so they decide.
            if small_rounds and large_rounds:
                per_small = statistics.median(small_rounds)
                per_large = statistics.median(large_rounds)
                source = f", {rounds_label(small_rounds, large_rounds)}"
            r = per_large / per_small
            targets.append((f"query cost per event flat across sizes, {state}",
                            f"{small.events / 1e6:.1f}M→{large.events / 1e6:.1f}M",
                            f"p50 per event {per_small * 1e9:.0f} ns → {per_large * 1e9:.0f} ns "
                            f"({times(r)}{source})", r <= 1.25))
        small_rate, large_rate = small.rebuild_rate(1), large.rebuild_rate(1)
        source = ""
        # As for the queries, the alternating rounds decide.
        if small.rebuild_rounds and large.rebuild_rounds:
            small_rate = statistics.median(small.rebuild_rounds)
            large_rate = statistics.median(large.rebuild_rounds)
            source = f", {rounds_label(small.rebuild_rounds, large.rebuild_rounds)}"
        if small_rate and large_rate:
            r = small_rate / large_rate
            targets.append(("rebuild cost per event flat across sizes",
                            f"{small.events / 1e6:.1f}M→{large.events / 1e6:.1f}M",
                            f"{rate(small_rate)} → {rate(large_rate)} "
                            f"(cost {times(r)}{source})", r <= 1.25))
    for name, label, measured, met in targets:
        add(f"| {name} | {label} | {measured} | {verdict(met)} |")
    missed = [f"- {name}, {label}: {measured}" for name, label, measured, met in targets
              if not met]
    summary = f"In this run {len(targets) - len(missed)} of {len(targets)} targets are met"
    summary += (", and these are missed:\n\n" + "\n".join(missed)) if missed else "."
    reasons = missed_reasons([(name, label) for name, label, _, met in targets if not met],
                             sizes)
    if reasons:
        summary += ("\n\nWhy, in short, from the same run ([the full explanation]"
                    "(#why-the-targets-are-missed-and-what-would-close-each)):\n\n"
                    + "\n".join(reasons))
    summary += ("\n\n*Ingest* and *append* store events in batches of 1,000; a *rebuild* "
                "folds every projection of every account from the log; a *point query* folds "
                "one account. A speed-up counts as near-linear at 1.8 times or more on 2 "
                "threads")
    if len(sizes) > 1:
        summary += (", and a cost per event as flat when it grows by at most 1.25 times "
                    "from the smaller ledger to the larger one. `--no-merge` keeps the index "
                    "runs that an append's batches leave, as a ledger grown by many small "
                    "appends keeps them, so it has its own row.")
    else:
        summary += "."
    lines[summary_at] = summary
    add("")
    if len(sizes) > 1:
        add("A speed-up counts as near-linear at 1.8 times or more on 2 threads, and a cost per")
        add("event as flat when it grows by at most 1.25 times from the smaller ledger to the")
        add("larger one.")
    else:
        add("A speed-up counts as near-linear at 1.8 times or more on 2 threads.")
    add("")
    comparisons = against_c_rows(sizes)
    if comparisons:
        add("Against the same work in C: the writes of `index_layouts` (runs, dupcopy and packed")
        add("layouts) and the raw scan of `lmdb_limit` on two threads. These ratios are context")
        add("for the targets above, not targets themselves.")
        add("")
        add("| ratio | size | measured |")
        add("|---|---|---|")
        for name, label, measured in comparisons:
            add(f"| {name} | {label} | {measured} |")
        add("")

    for size in sizes:
        if size.profile_dso:
            add(f"## Profile of one rebuild, {size.events:,} events")
            add("")
            add("`perf record` of `tierline-bench rebuild --threads 1 --repeat 1`, samples by")
            add("library and by symbol (LMDB from Debian has no symbols, so its functions")
            add("appear as addresses):")
            add("")
            add("```text")
            add(size.profile_dso)
            add("")
            add(size.profile_symbols)
            add("```")
            add("")

    add("## Commands")
    add("")
    add("`tools/bench/run.sh` runs these for each size N (accounts), with `W=tools/bench/work`,")
    add("`L=$W/ledger-N.ledger` and `E=$W/events-N.ndjson`; `--quick` uses N = 1,000 and")
    add("three runs, the default N = 10,000 with two runs and N = 100,000.")
    add("")
    add("```sh")
    add("swift build -c release --static-swift-stdlib")
    add("tierline generate --accounts N --seed 1 > $E")
    add("python3 tools/bench/peer_input.py $E $W/events-N.tsv")
    add("# N <= 10,000: whole process, then in-process, each into a new ledger")
    add("hyperfine --runs R --prepare 'rm -rf $L && tierline --store $L init' \\")
    add("  'tierline --store $L append --batch-size 1000 $E'")
    add("tierline-bench ingest --events $E --store $L --batch-size 1000")
    add("tierline-bench decode --events $E --repeat 3")
    add("# N = 100,000: bulk load instead (reused while the event count is unchanged)")
    add("/usr/bin/time -v tierline --store $L append --batch-size 100000 $E")
    add("# the same events into U=$W/unmerged-N.ledger, with the runs of their batches kept;")
    add("# batches of 100,000 at N = 100,000 (reused like the bulk load)")
    add("tierline --store $U append --no-merge --batch-size 1000 $E")
    add("tierline-bench scan --store $L --repeat 3")
    add("lmdb_limit $W/limit <events> <mean record bytes> 1000 5   # each scan then on 2 threads")
    add("# N <= 10,000: a record size S whose raw append writes about as many bytes per")
    add("# record as the in-process ingest wrote per event (its median), then 3 appends of it")
    add("python3 tools/bench/match_written.py $W/lmdb_limit $W <ingest bytes per event> 1000")
    add("lmdb_limit $W/limit <events> S 1000 0")
    add("# N <= 10,000: once per LAYOUT of none, dupsort, dupcopy, runs and packed, into a")
    add("# new $W/layouts")
    add("index_layouts LAYOUT $E $W/layouts <mean record bytes>")
    add("# then once per LAYOUT of none and dupcopy with event ids that sort by time")
    add("index_layouts --time-ordered-ids LAYOUT $E $W/layouts <mean record bytes>")
    add("# one process, alternating 1 and 2 threads from one repetition to the next")
    add("tierline-bench rebuild --store $L --threads 1,2 --repeat 5   # 3 at N = 100,000")
    add("/usr/bin/time -v tierline-bench rebuild --store $L --threads 1 --repeat 1")
    add("/usr/bin/time -v tierline --store $L replay --json > /dev/null")
    add("tierline-bench query --store $L --samples 2000   # twice, the first unrecorded")
    add("hyperfine --warmup 3 --runs 30 'tierline --store $L replay --account acct-<N/3> --json'")
    add("tierline-bench query --store $U --samples 2000   # twice, the first unrecorded")
    add("# on a copy C of $U/data.mdb, removed at the end of the run")
    add("/usr/bin/time -v tierline --store $C compact --json")
    add("tierline-bench query --store $C --samples 2000   # twice, the first unrecorded")
    add("perf record tierline-bench rebuild --store $L --threads 1 --repeat 1")
    add("sqlite_peer $W/sqlite.db $W/events-N.tsv 1000 3                # N <= 10,000")
    add("$W/venv/bin/python tools/bench/eventsourcing_peer.py $W/eventsourcing.db \\")
    add("  $W/events-N.tsv 1000                                          # N <= 10,000")
    if len(sizes) > 1:
        add("# after every size: one unrecorded pass per size, then 3 rounds, each querying")
        add("# every size's ledger in turn, $L, $U and the compacted copy $C")
        add("tierline-bench query --store $L --samples 2000")
        add("tierline-bench query --store $U --samples 2000")
        add("tierline-bench query --store $C --samples 2000")
        add("# then 3 rounds of one-thread rebuilds in the same way")
        add("tierline-bench rebuild --store $L --threads 1 --repeat 3")
    add("```")
    add("")

    analysis = os.path.join(os.path.dirname(os.path.abspath(__file__)), "analysis.md")
    text = read_text(analysis)
    # The file opens with a comment for its own readers, which the page leaves out.
    if text.startswith("<!--"):
        text = text[text.index("-->") + len("-->"):].lstrip("\n")
    add(text)
    add("")
    with open(output, "w", encoding="utf-8") as target:
        target.write("\n".join(lines))


if __name__ == "__main__":
    main()
