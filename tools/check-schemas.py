#!/usr/bin/env python3
"""Check the event JSON Schemas against the interchange fixtures.

Every line of Tests/TierlineEventsTests/Fixtures/valid-v1.ndjson must validate against
schemas/events/event.schema.json, and every line of invalid-v1.ndjson must fail. Exits 0
when both hold and 1 otherwise, listing each disagreement. Needs the `jsonschema`
package (4.18 or later); install it with `python3 -m pip install 'jsonschema>=4.18'`.
"""

import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("error: the jsonschema package is missing: python3 -m pip install 'jsonschema>=4.18'")
try:
    from referencing import Registry, Resource
except ImportError:
    from importlib.metadata import version

    sys.exit(
        f"error: jsonschema {version('jsonschema')} is too old; this check needs 4.18 or "
        "later: python3 -m pip install --upgrade 'jsonschema>=4.18'"
    )

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schemas" / "events"
FIXTURE_DIR = ROOT / "Tests" / "TierlineEventsTests" / "Fixtures"


def load_validator():
    """Build a draft 2020-12 validator whose $refs resolve to the local schema files."""
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    envelope = json.loads((SCHEMA_DIR / "event.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(envelope, registry=registry)


def fixture_lines(name):
    """Yield (line number, parsed JSON) for each non-empty line of a fixture file."""
    text = (FIXTURE_DIR / name).read_text(encoding="utf-8")
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            yield number, json.loads(line)


def main():
    validator = load_validator()
    problems = []
    checked = 0
    for number, event in fixture_lines("valid-v1.ndjson"):
        checked += 1
        for error in validator.iter_errors(event):
            problems.append(f"valid-v1.ndjson line {number}: rejected: {error.message}")
    for number, event in fixture_lines("invalid-v1.ndjson"):
        checked += 1
        if validator.is_valid(event):
            problems.append(f"invalid-v1.ndjson line {number}: accepted")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{checked} fixture lines checked, {len(problems)} disagreements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
