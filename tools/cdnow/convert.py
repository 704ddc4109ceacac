#!/usr/bin/env python3
"""Convert the CDNOW master file into Tierline interchange events (format v1).

Reads the whitespace-separated purchase rows (customer id, date YYYYMMDD, number
of CDs, dollar value) and writes one JSON event per line to stdout. Rows that
cannot be converted are listed as "line<TAB>field<TAB>reason" in the rejects file
(stderr unless --rejects names a file), and a count summary goes to stderr.

Only the Python 3 standard library is used. Dollar values are copied as text, so
"29.33" stays exactly "29.33" and never passes through a float.
"""

import argparse
import datetime
import json
import re
import sys
from collections import Counter
from zoneinfo import ZoneInfo

TIME_ZONE = "America/New_York"
CURRENCY = "USD"

# Tier bands on the first purchase day's total spend, in cents: below $20.00 is
# light, below $50.00 is regular, anything else is collector.
TIER_BANDS = [(2000, "light"), (5000, "regular"), (None, "collector")]
# ACVs match playbook.json: each is the mean spend per account-year of the tier,
# rounded (thresholds.py prints the measured means).
TIER_ACV = {"light": "40.00", "regular": "80.00", "collector": "180.00"}

# Milestones by distinct purchase day: the second day is first_value (a repeat
# buyer), the third is repeat_buyer_3.
MILESTONES_BY_PURCHASE_DAY = {2: "first_value", 3: "repeat_buyer_3"}

HEADER = ["customer_id", "date", "number_of_cds", "dollar_value"]
DIGITS = re.compile(r"^[0-9]+$")
DECIMAL = re.compile(r"^(-?)([0-9]+)(?:\.([0-9]+))?$")
MAX_FRACTION_DIGITS = 6


class Rejected(Exception):
    """A row that cannot become events, with the field at fault and the reason."""

    def __init__(self, field, reason):
        super().__init__(reason)
        self.field = field
        self.reason = reason


def parse_row(fields):
    """Return (customer, date, cds text, dollar text, dollar cents) or raise Rejected."""
    if len(fields) != 4:
        raise Rejected("row", f"expected 4 fields, found {len(fields)}")
    customer, date_text, cds_text, dollar_text = fields

    if not DIGITS.match(customer):
        raise Rejected("customer_id", f"not a number: {customer!r}")

    if not DIGITS.match(date_text) or len(date_text) != 8:
        raise Rejected("date", f"not a YYYYMMDD date: {date_text!r}")
    try:
        date = datetime.date(int(date_text[:4]), int(date_text[4:6]), int(date_text[6:]))
    except ValueError:
        raise Rejected("date", f"no such calendar date: {date_text!r}") from None

    if not DIGITS.match(cds_text):
        raise Rejected("number_of_cds", f"not a whole number: {cds_text!r}")
    if int(cds_text) == 0:
        raise Rejected("number_of_cds", "zero CDs: an order has at least one")

    match = DECIMAL.match(dollar_text)
    if not match:
        raise Rejected("dollar_value", f"not a decimal amount: {dollar_text!r}")
    sign, whole, fraction = match.groups()
    fraction = fraction or ""
    if sign:
        raise Rejected("dollar_value", f"negative amount: {dollar_text}")
    if len(fraction) > MAX_FRACTION_DIGITS:
        raise Rejected("dollar_value", f"more than {MAX_FRACTION_DIGITS} decimal places")
    cents_fraction = (fraction + "00")[:2]
    cents = int(whole) * 100 + int(cents_fraction)
    return customer, date, str(int(cds_text)), dollar_text, cents


def noon(date, zone):
    """Return noon of a local calendar date as RFC 3339 with that day's UTC offset."""
    local = datetime.datetime(date.year, date.month, date.day, 12, tzinfo=zone)
    return local.isoformat()


def tier_for(cents):
    """Return the tier whose spend band contains a first-day total in cents."""
    for upper, tier in TIER_BANDS:
        if upper is None or cents < upper:
            return tier
    raise AssertionError("the last band has no upper bound")


def event(event_id, event_type, account, occurred_at, data):
    """Return one interchange event as a compact JSON line."""
    record = {
        "id": event_id,
        "type": event_type,
        "account": account,
        "occurred_at": occurred_at,
        "data": data,
    }
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def read_rows(lines, rejects):
    """Group valid rows by customer in file order; report the invalid ones."""
    customers = {}
    for number, line in enumerate(lines, start=1):
        fields = line.split()
        if number == 1 and fields == HEADER:
            continue
        if not fields:
            rejects.append((number, "row", "empty line"))
            continue
        try:
            customer, date, cds, dollars, cents = parse_row(fields)
        except Rejected as error:
            rejects.append((number, error.field, error.reason))
            continue
        customers.setdefault(customer, []).append((date, number, cds, dollars, cents))
    return customers


def customer_events(customer, rows, zone, stats):
    """Yield the JSON lines of one customer's landing, usage and milestones."""
    rows.sort(key=lambda row: (row[0], row[1]))
    account = f"cdnow-{customer}"
    first_day = rows[0][0]
    first_day_cents = sum(row[4] for row in rows if row[0] == first_day)
    tier = tier_for(first_day_cents)
    stats["tiers"][tier] += 1

    landed = {"tier": tier, "acv": TIER_ACV[tier], "currency": CURRENCY, "timezone": TIME_ZONE}
    yield event(f"{account}-landed", "account.landed", account, noon(first_day, zone), landed)

    purchase_days = 0
    for index, (date, number, cds, dollars, cents) in enumerate(rows):
        occurred_at = noon(date, zone)
        prefix = f"{account}-{number}"
        for metric, quantity in (("orders", "1"), ("cds", cds), ("spend", dollars)):
            usage = {"metric": metric, "quantity": quantity}
            yield event(f"{prefix}-{metric}", "usage.recorded", account, occurred_at, usage)
        if cents == 0:
            stats["zero_spend_rows"] += 1

        last_of_day = index + 1 == len(rows) or rows[index + 1][0] != date
        if last_of_day:
            purchase_days += 1
            milestone = MILESTONES_BY_PURCHASE_DAY.get(purchase_days)
            if milestone:
                data = {"milestone": milestone}
                milestone_id = f"{account}-{milestone}"
                yield event(milestone_id, "milestone.reached", account, occurred_at, data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", help="path of CDNOW_master.txt")
    parser.add_argument(
        "--rejects", help="file for rejected rows (line, field, reason); default stderr")
    args = parser.parse_args()

    zone = ZoneInfo(TIME_ZONE)
    with open(args.input, encoding="ascii", newline="") as source:
        lines = source.read().splitlines()

    rejects = []
    customers = read_rows(lines, rejects)
    stats = {"tiers": Counter(), "zero_spend_rows": 0}
    types = Counter()
    out = sys.stdout
    for customer, rows in customers.items():
        for line in customer_events(customer, rows, zone, stats):
            types[json.loads(line)["type"]] += 1
            out.write(line + "\n")

    report = open(args.rejects, "w", encoding="utf-8") if args.rejects else sys.stderr
    try:
        for number, field, reason in rejects:
            report.write(f"{number}\t{field}\t{reason}\n")
    finally:
        if args.rejects:
            report.close()

    summary = {
        "rows": sum(len(rows) for rows in customers.values()) + len(rejects),
        "rejected_rows": len(rejects),
        "zero_spend_rows": stats["zero_spend_rows"],
        "accounts": len(customers),
        "landing_tiers": dict(sorted(stats["tiers"].items())),
        "events": sum(types.values()),
        "events_by_type": dict(sorted(types.items())),
    }
    print(json.dumps(summary, indent=2), file=sys.stderr)


if __name__ == "__main__":
    main()
