"""Convert Tierline NDJSON events into the tab-separated input of the peers.

Usage: python3 peer_input.py EVENTS.ndjson OUT.tsv

Each output line holds id, account, type, occurred_at (microseconds since the
epoch, UTC) and data (compact JSON), in input order.
"""

import datetime
import json
import sys

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
MICROSECOND = datetime.timedelta(microseconds=1)


def microseconds(text: str) -> int:
    """Return an RFC 3339 timestamp as microseconds since the epoch."""
    return (datetime.datetime.fromisoformat(text) - EPOCH) // MICROSECOND


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as events, open(target, "w", encoding="utf-8") as out:
        for line in events:
            if not line.strip():
                continue
            event = json.loads(line)
            data = json.dumps(event["data"], separators=(",", ":"), ensure_ascii=False)
            fields = [
                event["id"],
                event["account"],
                event["type"],
                str(microseconds(event["occurred_at"])),
                data,
            ]
            out.write("\t".join(fields) + "\n")


if __name__ == "__main__":
    main()
