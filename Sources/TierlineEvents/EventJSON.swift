/// The event interchange format v1: one JSON object per event, one event per line.
///
/// `{"id","type","account","occurred_at","data":{...},"expected_version"?}`. The decoder
/// is strict: unknown fields, wrong JSON types, inexact money and impossible timestamps
/// are rejected with the line and the field. The encoder writes the canonical form, which
/// decodes back to an equal event and re-encodes to the same text.
public enum EventJSON {
  /// The largest accepted event, in bytes of one line without its line terminator.
  public static let maximumEventBytes = 65_536

  /// The interchange format version that this type reads and writes.
  public static let formatVersion = 1

  /// Decodes one line of interchange JSON.
  /// - Parameters:
  ///   - line: The line's bytes, without its terminator.
  ///   - lineNumber: The 1-based line number reported in errors.
  /// - Throws: `EventInputError` naming the line, the field and the reason.
  public static func decode(
    _ line: UnsafeRawBufferPointer, lineNumber: Int
  ) throws(EventInputError) -> IncomingEvent {
    guard line.count <= maximumEventBytes else {
      throw EventInputError(
        line: lineNumber, field: nil,
        reason: "is \(line.count) bytes; the maximum event size is \(maximumEventBytes) bytes")
    }
    let value: JSONValue
    do {
      value = try JSONValue.parse(line)
    } catch {
      throw EventInputError(line: lineNumber, field: nil, reason: error.description)
    }
    var decoder = EventDecoder(line: lineNumber)
    return try decoder.decodeEnvelope(value)
  }

  /// Decodes one line of interchange JSON; see `decode(_:lineNumber:)`.
  public static func decode(
    _ line: [UInt8], lineNumber: Int
  ) throws(EventInputError) -> IncomingEvent {
    let result: Result<IncomingEvent, EventInputError> = line.withUnsafeBytes { buffer in
      do throws(EventInputError) {
        return .success(try decode(buffer, lineNumber: lineNumber))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Encodes an event as canonical interchange JSON on one line, without a newline.
  ///
  /// Keys appear in the order `id`, `type`, `account`, `occurred_at`, `data`; optional
  /// fields are omitted when nil; `occurred_at` is UTC with a `Z` suffix.
  public static func encode(_ event: Event) -> String {
    encode(event, position: nil, recordedAt: nil)
  }

  /// Encodes a stored event as canonical JSON, with `position` and `recorded_at` placed
  /// between `occurred_at` and `data`.
  public static func encode(_ recorded: RecordedEvent) -> String {
    encode(recorded.event, position: recorded.position, recordedAt: recorded.recordedAt)
  }

  private static func encode(
    _ event: Event, position: UInt64?, recordedAt: Timestamp?
  ) -> String {
    var object = JSONObjectWriter()
    object.string("id", event.id)
    object.string("type", event.type.name)
    object.string("account", event.account.value)
    object.string("occurred_at", event.occurredAt.rfc3339)
    if let position { object.raw("position", String(position)) }
    if let recordedAt { object.string("recorded_at", recordedAt.rfc3339) }
    object.raw("data", encodeData(event.payload))
    return object.finished()
  }

  private static func encodeData(_ payload: Payload) -> String {
    var data = JSONObjectWriter()
    switch payload {
    case .accountLanded(let landed):
      data.string("tier", landed.tier)
      data.string("acv", landed.acv.decimalString)
      data.string("currency", landed.acv.currency.code)
      data.string("timezone", landed.timeZone)
      data.optionalString("owner", landed.owner)
      data.optionalString("segment", landed.segment)
    case .usageRecorded(let usage):
      data.string("metric", usage.metric)
      data.raw("quantity", usage.quantity.description)
      data.optionalString("unit", usage.unit)
    case .milestoneReached(let milestone):
      data.string("milestone", milestone.milestone)
    case .checkinCompleted(let checkin):
      data.string("kind", checkin.kind)
      data.bool("value_delivered", checkin.valueDelivered)
      data.bool("approaching_capacity", checkin.approachingCapacity)
      data.optionalString("notes", checkin.notes)
    case .tierChanged(let change):
      data.string("to", change.to)
      data.string("acv", change.acv.decimalString)
      data.string("currency", change.acv.currency.code)
      data.optionalString("reason", change.reason)
    case .orgChanged(let change):
      if let headcount = change.headcount { data.raw("headcount", String(headcount)) }
      data.optionalString("department_added", change.departmentAdded)
      data.optionalString("use_case_added", change.useCaseAdded)
    case .expansionOffered(let offer):
      data.string("to", offer.to)
      data.string("by", offer.by)
      data.optionalString("trigger", offer.trigger)
    case .accountChurned(let churn):
      data.optionalString("reason", churn.reason)
    }
    return data.finished()
  }
}
