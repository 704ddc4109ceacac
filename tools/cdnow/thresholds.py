#!/usr/bin/env python3
"""Report how often CDNOW customers reach the usage trigger of the CDNOW playbook.

Reads the converter's NDJSON output and playbook.json and sums each account's
usage per calendar month of its local time, taken from the occurred_at text.
Prints, per landing tier and metric, the share of accounts whose monthly total
reaches the usage threshold (limit x threshold) in at least one month. Tier
changes are not replayed because the converter emits none. Also prints each
tier's mean spend per account-year between first purchase and 1998-06-30.
"""

import argparse
import datetime
import json
from collections import Counter, defaultdict
from decimal import Decimal

DATA_END = datetime.date(1998, 6, 30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", help="NDJSON written by convert.py")
    parser.add_argument("playbook", help="playbook.json")
    args = parser.parse_args()

    with open(args.playbook, encoding="utf-8") as source:
        playbook = json.load(source)
    threshold = Decimal(playbook["triggers"]["usage"]["threshold"])
    limits = {
        tier["id"]: {limit["metric"]: Decimal(limit["limit"]) for limit in tier["limits"]}
        for tier in playbook["tiers"]
    }

    tiers = {}
    landed_on = {}
    monthly = defaultdict(Decimal)
    spend = defaultdict(Decimal)
    with open(args.events, encoding="utf-8") as source:
        for line in source:
            event = json.loads(line)
            account = event["account"]
            if event["type"] == "account.landed":
                tiers[account] = event["data"]["tier"]
                landed_on[account] = datetime.date.fromisoformat(event["occurred_at"][:10])
            elif event["type"] == "usage.recorded":
                metric = event["data"]["metric"]
                quantity = Decimal(event["data"]["quantity"])
                monthly[(account, event["occurred_at"][:7], metric)] += quantity
                if metric == "spend":
                    spend[account] += quantity

    crossed = defaultdict(set)
    for (account, _, metric), total in monthly.items():
        if total >= limits[tiers[account]][metric] * threshold:
            crossed[metric].add(account)

    accounts_per_tier = Counter(tiers.values())
    for tier in limits:
        count = accounts_per_tier[tier]
        years = sum(
            Decimal((DATA_END - landed_on[account]).days + 1) / 365
            for account in tiers if tiers[account] == tier)
        tier_spend = sum(spend[account] for account in tiers if tiers[account] == tier)
        print(f"{tier}: {count} accounts, spend per account-year "
              f"{tier_spend / years:.2f}")
        for metric, limit in limits[tier].items():
            hits = sum(1 for account in crossed[metric] if tiers[account] == tier)
            print(f"  {metric}: limit {limit}, threshold {limit * threshold}, "
                  f"{hits} accounts ({Decimal(100 * hits) / count:.1f}%) ever reach it")
        ever = set().union(*(crossed[m] for m in limits[tier]))
        hits = sum(1 for account in ever if tiers[account] == tier)
        print(f"  any metric: {hits} accounts ({Decimal(100 * hits) / count:.1f}%)")


if __name__ == "__main__":
    main()
