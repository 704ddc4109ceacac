"""Batches of marked events and checks of which batches a ledger contains.

Every batch belongs to one account of its own, named after the batch, and holds one
`account.landed` event followed by usage events, all with ids that start with the
batch name. A batch is present in full when its account has exactly that many events,
so a partial batch shows as any other count.
"""

import json
import subprocess


def batch_name(prefix, number):
    """Return the account id and event id prefix of batch `number`."""
    return f"{prefix}-{number:06d}"


def batch_lines(prefix, number, size):
    """Return the NDJSON text of batch `number`, `size` events long."""
    name = batch_name(prefix, number)
    lines = [json.dumps({
        "id": f"{name}-0", "type": "account.landed", "account": name,
        "occurred_at": "2025-01-01T00:00:00Z",
        "data": {"tier": "starter", "acv": "6000.00", "currency": "USD",
                 "timezone": "UTC"}})]
    for index in range(1, size):
        lines.append(json.dumps({
            "id": f"{name}-{index}", "type": "usage.recorded", "account": name,
            "occurred_at": f"2025-01-02T00:00:{index % 60:02d}Z",
            "data": {"metric": "api_calls", "quantity": index}}))
    return "\n".join(lines) + "\n"


def run(binary, store, *arguments, stdin=None):
    """Run `tierline --store STORE ARGUMENTS` and return the completed process."""
    return subprocess.run(
        [binary, "--store", store, *arguments], input=stdin, capture_output=True,
        text=True, check=False)


def account_event_count(binary, store, account):
    """Return how many events the ledger stores for `account`."""
    result = run(binary, store, "log", account, "--json")
    if result.returncode != 0 and "account not found" in result.stderr:
        return 0
    if result.returncode != 0:
        raise RuntimeError(f"tierline log {account} failed: {result.stderr.strip()}")
    return sum(1 for line in result.stdout.splitlines() if line.strip())


def verify(binary, store, *extra):
    """Run `tierline verify --json` and return (exit code, report or None, stderr)."""
    result = run(binary, store, "verify", "--json", *extra)
    report = None
    if result.stdout.strip():
        report = json.loads(result.stdout.strip().splitlines()[-1])
    return result.returncode, report, result.stderr.strip()
