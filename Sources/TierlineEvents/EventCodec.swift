/// The compact binary encoding of an event, as stored in the ledger's log.
///
/// The layout is documented byte by byte in `schemas/event-encoding.md`. Encoding is
/// deterministic: equal events give equal bytes, because the store compares records byte
/// for byte to tell a duplicate append from a conflicting one. Decoding accepts exactly
/// the bytes that `encode` produces for some event, so every field has one encoding.
public enum EventCodec {
  /// The record format version, written as the first byte.
  public static let formatVersion: UInt8 = 1

  /// The version of each type's field layout, written as the third byte, for every
  /// type except `usage.recorded` with a unit.
  public static let typeSchemaVersion: UInt8 = 1

  /// The schema version of `usage.recorded` records that carry a unit. Records without
  /// a unit keep version 1, so an event stored before version 2 existed encodes to the
  /// same bytes today and a repeated append of it is still a duplicate.
  public static let usageWithUnitSchemaVersion: UInt8 = 2

  /// Returns the schema version that `encode` writes for a payload.
  static func schemaVersion(of payload: Payload) -> UInt8 {
    if case .usageRecorded(let usage) = payload, usage.unit != nil {
      return usageWithUnitSchemaVersion
    }
    return typeSchemaVersion
  }

  /// Encodes an event into a new byte array.
  public static func encode(_ event: Event) -> [UInt8] {
    var buffer: [UInt8] = []
    buffer.reserveCapacity(64 + event.id.utf8.count + event.account.value.utf8.count)
    encode(event, into: &buffer)
    return buffer
  }

  /// Appends the encoding of an event to `buffer`.
  public static func encode(_ event: Event, into buffer: inout [UInt8]) {
    buffer.append(formatVersion)
    buffer.append(event.type.rawValue)
    buffer.append(schemaVersion(of: event.payload))
    let micros = UInt64(bitPattern: event.occurredAt.microseconds)
    for shift in stride(from: 0, to: 64, by: 8) {
      buffer.append(UInt8(truncatingIfNeeded: micros >> UInt64(shift)))
    }
    appendString(event.id, to: &buffer)
    appendString(event.account.value, to: &buffer)

    switch event.payload {
    case .accountLanded(let landed):
      appendString(landed.tier, to: &buffer)
      appendMoney(landed.acv, to: &buffer)
      appendString(landed.timeZone, to: &buffer)
      appendOptionalString(landed.owner, to: &buffer)
      appendOptionalString(landed.segment, to: &buffer)
    case .usageRecorded(let usage):
      appendString(usage.metric, to: &buffer)
      appendZigZag(usage.quantity.millionths, to: &buffer)
      if let unit = usage.unit {
        appendString(unit, to: &buffer)
      }
    case .milestoneReached(let milestone):
      appendString(milestone.milestone, to: &buffer)
    case .checkinCompleted(let checkin):
      appendString(checkin.kind, to: &buffer)
      var flags: UInt8 = 0
      if checkin.valueDelivered { flags |= 1 }
      if checkin.approachingCapacity { flags |= 2 }
      buffer.append(flags)
      appendOptionalString(checkin.notes, to: &buffer)
    case .tierChanged(let change):
      appendString(change.to, to: &buffer)
      appendMoney(change.acv, to: &buffer)
      appendOptionalString(change.reason, to: &buffer)
    case .orgChanged(let change):
      if let headcount = change.headcount {
        buffer.append(1)
        appendZigZag(headcount, to: &buffer)
      } else {
        buffer.append(0)
      }
      appendOptionalString(change.departmentAdded, to: &buffer)
      appendOptionalString(change.useCaseAdded, to: &buffer)
    case .expansionOffered(let offer):
      appendString(offer.to, to: &buffer)
      appendString(offer.by, to: &buffer)
      appendOptionalString(offer.trigger, to: &buffer)
    case .accountChurned(let churn):
      appendOptionalString(churn.reason, to: &buffer)
    }
  }

  private static func appendVarint(_ value: UInt64, to buffer: inout [UInt8]) {
    var rest = value
    while rest >= 0x80 {
      buffer.append(UInt8(truncatingIfNeeded: rest) | 0x80)
      rest >>= 7
    }
    buffer.append(UInt8(rest))
  }

  private static func appendZigZag(_ value: Int64, to buffer: inout [UInt8]) {
    appendVarint(UInt64(bitPattern: (value << 1) ^ (value >> 63)), to: &buffer)
  }

  private static func appendString(_ text: String, to buffer: inout [UInt8]) {
    appendVarint(UInt64(text.utf8.count), to: &buffer)
    buffer.append(contentsOf: text.utf8)
  }

  private static func appendOptionalString(_ text: String?, to buffer: inout [UInt8]) {
    guard let text else {
      buffer.append(0)
      return
    }
    buffer.append(1)
    appendString(text, to: &buffer)
  }

  private static func appendMoney(_ money: Money, to buffer: inout [UInt8]) {
    // A `Currency` always has a three-letter A–Z code, so this writes exactly 3 bytes.
    buffer.append(contentsOf: money.currency.code.utf8.prefix(3))
    appendZigZag(money.minorUnits, to: &buffer)
  }
}
