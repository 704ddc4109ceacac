import TierlineEvents

/// The outcome of one Segment `track` or `group` call, before any headcount is counted.
///
/// Copies of one message are compared by this value rather than by their JSON, so a
/// retry that differs only in `sentAt`, `receivedAt` or key order is a duplicate.
enum SegmentCallEffect: Equatable {
  /// An event that the call alone determines: usage or a milestone.
  case event(IncomingEvent)
  /// A `group` call's headcount, which later added users count from.
  case headcount(IncomingEvent, count: Int64)
  /// One more user in `account`, recorded at `time`.
  case addedUser(account: String, time: Timestamp)
  /// A call that cannot be imported, with the field at fault and the reason.
  case rejected(field: String?, reason: String)
  /// A call that carries nothing to import.
  case ignored
}

extension SegmentImporter {
  /// Derives the effect of a `track` or `group` call.
  /// - Parameters:
  ///   - id: The event id, `segment:` + `messageId`.
  ///   - plan: The plan whose event rules check the derived events. It is not changed.
  static func effect(
    of call: JSONValue, id: String, account: String, at time: Timestamp, line: Int,
    mapping: SegmentMapping, plan: ImportPlan
  ) -> SegmentCallEffect {
    func validated(_ draft: JSONValue, fieldNames: [String: String] = [:]) -> SegmentCallEffect {
      switch plan.validate(draft, line: line, fieldNames: fieldNames) {
      case .success(let item): return .event(item.incoming)
      case .failure(let rejection):
        return .rejected(field: rejection.field, reason: rejection.reason)
      }
    }

    if call.string(at: "type") == "group" {
      guard let employees = call.value(at: "traits.employees") else { return .ignored }
      guard let count = wholeNumber(employees), count >= 0 else {
        return .rejected(field: "traits.employees", reason: "is not a whole number of people")
      }
      let draft = eventDraft(
        id: id, type: .orgChanged, account: account, occurredAt: time.rfc3339,
        data: [("headcount", .number(String(count)))])
      switch validated(draft) {
      case .event(let incoming): return .headcount(incoming, count: count)
      case let other: return other
      }
    }

    let name = call.string(at: "event") ?? ""
    switch mapping.events[name] {
    case .usage(let metric, let property)?:
      var quantity = JSONValue.number("1")
      if let property {
        guard let value = call.value(at: "properties." + property) else {
          return .rejected(field: "properties." + property, reason: "is missing")
        }
        quantity = value
      }
      let draft = eventDraft(
        id: id, type: .usageRecorded, account: account, occurredAt: time.rfc3339,
        data: [("metric", .string(metric)), ("quantity", quantity)])
      return validated(
        draft, fieldNames: ["data.quantity": property.map { "properties." + $0 } ?? "1"])
    case .milestone(let milestone)?:
      return validated(
        eventDraft(
          id: id, type: .milestoneReached, account: account, occurredAt: time.rfc3339,
          data: [("milestone", .string(milestone))]))
    case nil where name == addedUserEvent:
      return .addedUser(account: account, time: time)
    case nil:
      return .ignored
    }
  }

  /// Reads a whole number written as a JSON integer or a string of digits.
  private static func wholeNumber(_ value: JSONValue) -> Int64? {
    switch value {
    case .number(let text): return Int64(text)
    case .string(let text): return Int64(text)
    default: return nil
    }
  }
}
