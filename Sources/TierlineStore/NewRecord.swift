/// A record to append: an event's bytes with its id, originator and occurred time.
public struct NewRecord: Sendable {
  /// The idempotency key, 1 to 511 bytes.
  public var eventID: [UInt8]
  /// The originator (stream) id, 1 to 511 bytes.
  public var originator: [UInt8]
  /// The valid time, in microseconds since 1970-01-01T00:00:00Z.
  public var occurredAt: Int64
  /// The encoded event; the store does not interpret it.
  public var content: [UInt8]
  /// The originator's version (its record count) this record expects before it, or nil
  /// to append regardless.
  public var expectedVersion: UInt64?

  /// Creates a record to append.
  public init(
    eventID: [UInt8], originator: [UInt8], occurredAt: Int64, content: [UInt8],
    expectedVersion: UInt64? = nil
  ) {
    self.eventID = eventID
    self.originator = originator
    self.occurredAt = occurredAt
    self.content = content
    self.expectedVersion = expectedVersion
  }
}
