#!/usr/bin/env python3
"""Print a Markdown table of medians from one or more `hyperfine --export-json` files."""
import json
import statistics
import sys


def main(paths):
    print("| command | median | min | max | runs |")
    print("|---|---:|---:|---:|---:|")
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for result in json.load(handle)["results"]:
                times = result["times"]
                print(
                    f"| {result['command']} | {format_seconds(statistics.median(times))} "
                    f"| {format_seconds(min(times))} | {format_seconds(max(times))} "
                    f"| {len(times)} |"
                )


def format_seconds(seconds):
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main(sys.argv[1:])
