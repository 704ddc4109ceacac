import Foundation

/// Values that `expansion.offered` accepts in `by`: who owns the conversation.
let expansionOwners = ["cs", "sales", "product"]

/// Values that `expansion.offered` accepts in `trigger`: the four trigger types.
let expansionTriggerTypes = ["usage", "milestone", "time", "organizational"]

/// Turns a parsed JSON line into an event, checking every field of format v1.
struct EventDecoder {
  let line: Int
  var eventID: String?

  init(line: Int) {
    self.line = line
  }

  private static let envelopeKeys = [
    "id", "type", "account", "occurred_at", "data", "expected_version",
    // The ledger's own stamps, present in `tierline log --json` output. They are accepted
    // so that exported events append again, and ignored: the ledger stamps its own.
    "position", "recorded_at",
  ]

  func fail(_ field: String?, _ reason: String) -> EventInputError {
    EventInputError(line: line, field: field, reason: reason, eventID: eventID)
  }

  mutating func decodeEnvelope(_ value: JSONValue) throws(EventInputError) -> IncomingEvent {
    guard case .object(let members) = value else {
      throw fail(nil, "must be a JSON object, not \(value.typeName)")
    }
    var fields = FieldReader(members: members, prefix: "", decoder: self)

    // The id comes first so that every later error can name the event.
    let id = try fields.string("id")
    try checkEventID(id)
    eventID = id
    fields.decoder = self

    try fields.rejectUnknown(allowed: EventDecoder.envelopeKeys, context: "an event")
    let typeName = try fields.string("type")
    guard let type = EventType(name: typeName) else {
      let known = EventType.allCases.map(\.name).joined(separator: ", ")
      throw fail("type", "unknown event type \(jsonQuoted(typeName)); expected one of \(known)")
    }
    let accountText = try fields.string("account")
    let account = try decodeAccount(accountText)
    let occurredText = try fields.string("occurred_at")
    guard let occurredAt = Timestamp(rfc3339: occurredText) else {
      throw fail(
        "occurred_at",
        "\(jsonQuoted(occurredText)) \(Timestamp.rfc3339Problem(occurredText))")
    }
    let expectedVersion = try fields.optionalUnsignedInteger("expected_version")
    guard let data = fields.member("data") else { throw fail("data", "is missing") }
    guard case .object(let dataMembers) = data else {
      throw fail("data", "must be an object, not \(data.typeName)")
    }
    var dataFields = FieldReader(members: dataMembers, prefix: "data.", decoder: self)
    let payload = try decodePayload(type, &dataFields)
    let event = Event(id: id, account: account, occurredAt: occurredAt, payload: payload)
    return IncomingEvent(event: event, expectedVersion: expectedVersion)
  }

  private func decodeAccount(_ text: String) throws(EventInputError) -> AccountID {
    // Printable ASCII is already in NFC, so it skips the Foundation normalization call.
    let utf8 = text.utf8
    if !utf8.isEmpty, utf8.count <= AccountID.maximumUTF8Length,
      utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
    {
      return AccountID(normalized: text)
    }
    do {
      return try AccountID(text)
    } catch {
      throw fail("account", error.reason)
    }
  }

  private func checkEventID(_ id: String) throws(EventInputError) {
    let length = id.utf8.count
    guard length <= Event.maximumIDLength else {
      throw fail("id", "is \(length) bytes of UTF-8; the maximum is \(Event.maximumIDLength)")
    }
    let isPrintableASCII = id.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    guard
      isPrintableASCII
        || !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    else { throw fail("id", "contains a control character") }
  }

  private func decodePayload(
    _ type: EventType, _ data: inout FieldReader
  ) throws(EventInputError) -> Payload {
    switch type {
    case .accountLanded:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      let tier = try data.string("tier")
      let acv = try data.money("acv", currencyField: "currency")
      let timeZone = try data.string("timezone")
      guard isIANATimeZone(timeZone) else {
        throw fail("data.timezone", "\(jsonQuoted(timeZone)) is not a known IANA time zone")
      }
      return .accountLanded(
        AccountLanded(
          tier: tier, acv: acv, timeZone: timeZone,
          owner: try data.optionalString("owner"), segment: try data.optionalString("segment")))

    case .usageRecorded:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      let metric = try data.string("metric")
      return .usageRecorded(
        UsageRecorded(
          metric: metric, quantity: try data.quantity("quantity"),
          unit: try data.optionalString("unit")))

    case .milestoneReached:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      return .milestoneReached(MilestoneReached(milestone: try data.string("milestone")))

    case .checkinCompleted:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      let kind = try data.string("kind")
      let valueDelivered = try data.bool("value_delivered")
      let approachingCapacity = try data.bool("approaching_capacity")
      return .checkinCompleted(
        CheckinCompleted(
          kind: kind, valueDelivered: valueDelivered, approachingCapacity: approachingCapacity,
          notes: try data.optionalString("notes")))

    case .tierChanged:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      let to = try data.string("to")
      let acv = try data.money("acv", currencyField: "currency")
      return .tierChanged(TierChanged(to: to, acv: acv, reason: try data.optionalString("reason")))

    case .orgChanged:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      let change = OrgChanged(
        headcount: try data.optionalHeadcount("headcount"),
        departmentAdded: try data.optionalString("department_added"),
        useCaseAdded: try data.optionalString("use_case_added"))
      guard
        change.headcount != nil || change.departmentAdded != nil
          || change.useCaseAdded != nil
      else {
        throw fail(
          "data", "needs at least one of headcount, department_added, use_case_added")
      }
      return .orgChanged(change)

    case .expansionOffered:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      let to = try data.string("to")
      let by = try data.string("by", oneOf: expansionOwners)
      let trigger = try data.optionalString("trigger", oneOf: expansionTriggerTypes)
      return .expansionOffered(ExpansionOffered(to: to, by: by, trigger: trigger))

    case .accountChurned:
      try data.rejectUnknown(allowed: type.dataKeys, context: type.name)
      return .accountChurned(AccountChurned(reason: try data.optionalString("reason")))
    }
  }
}

/// Whether `identifier` names an IANA time zone, such as `America/New_York` or `UTC`.
///
/// Foundation also accepts offset names such as `GMT+5` and reads them as UTC+5, the
/// opposite sign of IANA's `Etc/GMT+5`. They are rejected so that no zone is ambiguous.
public func isIANATimeZone(_ identifier: String) -> Bool {
  for prefix in ["GMT+", "GMT-", "UTC+", "UTC-"] where identifier.hasPrefix(prefix) {
    return false
  }
  return TimeZone(identifier: identifier) != nil
}

extension EventType {
  /// The keys that the `data` object of an event of this type may have.
  public var dataKeys: [String] {
    switch self {
    case .accountLanded: ["tier", "acv", "currency", "timezone", "owner", "segment"]
    case .usageRecorded: ["metric", "quantity", "unit"]
    case .milestoneReached: ["milestone"]
    case .checkinCompleted: ["kind", "value_delivered", "approaching_capacity", "notes"]
    case .tierChanged: ["to", "acv", "currency", "reason"]
    case .orgChanged: ["headcount", "department_added", "use_case_added"]
    case .expansionOffered: ["to", "by", "trigger"]
    case .accountChurned: ["reason"]
    }
  }
}
