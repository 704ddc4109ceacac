import TierlineEvents
import TierlineLedger

/// `tierline log`: one account's events with both timestamps.
enum LogCommand: Command {
  static let spec = CommandSpec(
    name: "log",
    summary: "List an account's events in occurred order, with both timestamps.",
    usage: "ACCOUNT [--as-of T] [--known-at K] [--json]",
    options: [
      OptionSpec(
        name: "as-of", valueName: "T",
        help: "valid time: leave out events that occurred after T (default: none left out)",
        validate: validateTimeOption),
      OptionSpec(
        name: "known-at", valueName: "K",
        help: "transaction time: leave out events recorded after K (default: none left out)",
        validate: validateTimeOption),
      OptionSpec(
        name: "json", valueName: nil, help: "print NDJSON events with position and recorded_at"),
    ],
    positionals: ["ACCOUNT"],
    requiredPositionals: 1,
    details: """
      With --as-of or --known-at, only the events a query at that point folds are listed,
      so an audit sees what was known then. Compare times in the JSON as instants, not as
      text: they drop trailing zeros of the fraction, so "…:59.30505Z" is
      "…:59.305050Z".
      """ + "\n" + timeFormatsHelp)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let account = try accountArgument(arguments.positionals[0])
    let asOf = try arguments.value("as-of").map { try parseTimeOption($0, option: "as-of") }
    let requestedKnownAt = try arguments.value("known-at").map {
      try parseTimeOption($0, option: "known-at")
    }
    let ledger = try context.openLedger()
    let knownAt = try requestedKnownAt.map { try resolvedKnownAt($0, in: ledger) }
    let stored = try ledger.log(of: account)
    guard !stored.isEmpty else {
      throw CommandFailure(
        message: "account not found (\(account.value)): no events are stored for it",
        exitCode: .failure)
    }
    let events = stored.filter { recorded in
      (asOf.map { recorded.event.occurredAt <= $0 } ?? true)
        && (knownAt.map { recorded.recordedAt <= $0 } ?? true)
    }
    if arguments.flag("json") {
      for recorded in events { context.output.jsonLine(EventJSON.encode(recorded)) }
      return
    }
    var cut: [String] = []
    if let asOf { cut.append("occurred by \(asOf.rfc3339)") }
    if let knownAt { cut.append("recorded by \(knownAt.rfc3339)") }
    let of = cut.isEmpty ? "" : " of \(stored.count) stored, " + cut.joined(separator: " and ")
    context.output.line("Account \(account.value): \(counted(events.count, "event"))\(of)")
    context.output.line(
      "position".leftPadded(9) + "  " + "occurred_at".rightPadded(27) + "  "
        + "recorded_at".rightPadded(27) + "  type")
    for recorded in events {
      context.output.line(
        String(recorded.position).leftPadded(9) + "  "
          + recorded.event.occurredAt.rfc3339.rightPadded(27) + "  "
          + recorded.recordedAt.rfc3339.rightPadded(27) + "  "
          + recorded.event.type.name + "  " + printable(summary(of: recorded.event.payload)))
    }
  }

  static func summary(of payload: Payload) -> String {
    switch payload {
    case .accountLanded(let landed):
      return "\(landed.tier) \(landed.acv.decimalString) \(landed.acv.currency) \(landed.timeZone)"
    case .usageRecorded(let usage):
      return "\(usage.metric) \(usage.quantity)"
    case .milestoneReached(let milestone):
      return milestone.milestone
    case .checkinCompleted(let checkin):
      return "\(checkin.kind) value_delivered=\(checkin.valueDelivered) "
        + "approaching_capacity=\(checkin.approachingCapacity)"
    case .tierChanged(let change):
      return "to \(change.to) \(change.acv.decimalString) \(change.acv.currency)"
    case .orgChanged(let change):
      var parts: [String] = []
      if let headcount = change.headcount { parts.append("headcount=\(headcount)") }
      if let department = change.departmentAdded { parts.append("department_added=\(department)") }
      if let useCase = change.useCaseAdded { parts.append("use_case_added=\(useCase)") }
      return parts.joined(separator: " ")
    case .expansionOffered(let offer):
      return "to \(offer.to) by \(offer.by)" + (offer.trigger.map { " trigger=\($0)" } ?? "")
    case .accountChurned(let churn):
      return churn.reason ?? ""
    }
  }
}

/// Validates an account id given on the command line.
func accountArgument(_ text: String) throws(UsageError) -> AccountID {
  do {
    return try AccountID(text)
  } catch {
    throw UsageError("invalid account id (\(text)): \(error)")
  }
}

extension String {
  /// Returns the string padded with spaces on the right to `width` characters.
  func rightPadded(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }

  /// Returns the string padded with spaces on the left to `width` characters.
  func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}

/// Returns `text` with control characters written as escapes (`\n`, `\u{1B}`), so that
/// free text keeps to one table row and cannot send terminal control sequences.
func printable(_ text: String) -> String {
  escapingScalars(text) { $0.properties.generalCategory == .control }
}
