import TierlineEvents

extension RulesDiff {
  /// Encodes the comparison as a JSON object with a fixed key order. Its `metrics`
  /// member contains the full `metrics --json` object of each side.
  public func json() -> JSONValue {
    let instant: (Timestamp?) -> JSONValue = { $0.map { .string($0.rfc3339) } ?? .null }
    let types: ([String]) -> JSONValue = { .array($0.map { .string($0) }) }
    return .object([
      ("baseline", .string(baselineVersion)),
      ("candidate", .string(candidateVersion)),
      ("as_of", .string(metricsBefore.options.asOf.rfc3339)),
      ("known_at", .string(metricsBefore.options.knownAt.rfc3339)),
      ("accounts", .number(String(accounts))),
      ("accounts_changed", .number(String(readinessChanges.count))),
      (
        "readiness_changes",
        .array(
          readinessChanges.map { change in
            .object([
              ("account", .string(change.account)),
              ("ready_before", .bool(change.readyBefore)),
              ("ready_after", .bool(change.readyAfter)),
              ("first_ready_before", instant(change.firstReadyBefore)),
              ("first_ready_after", instant(change.firstReadyAfter)),
            ])
          })
      ),
      (
        "trigger_firings",
        .object(
          triggerFirings.map { firing in
            (
              firing.type,
              .object([
                ("before", .number(String(firing.before))),
                ("after", .number(String(firing.after))),
                ("change", .number(String(firing.after - firing.before))),
              ])
            )
          })
      ),
      (
        "attribution_changes",
        .array(
          attributionChanges.map { change in
            .object([
              ("account", .string(change.account)),
              ("at", .string(change.at)),
              ("to", .string(change.to)),
              ("before", types(change.before)),
              ("after", types(change.after)),
            ])
          })
      ),
      ("metrics", .object([("before", metricsBefore.json()), ("after", metricsAfter.json())])),
    ])
  }
}
