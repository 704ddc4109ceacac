/// A rejected line of event input: which line, which field, and why.
///
/// The description reads `line 12: data.acv: has 3 decimal places; USD allows 2`.
public struct EventInputError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The 1-based line number in the input.
  public var line: Int
  /// The dotted path of the offending field, such as `data.acv` or `occurred_at`.
  /// It is nil when the line as a whole is at fault, as with a syntax error.
  public var field: String?
  /// The problem in plain words, such as "has 3 decimal places; USD allows 2".
  public var reason: String
  /// The event's `id` when it was read before the error was found.
  public var eventID: String?

  /// Creates an error for one line.
  public init(line: Int, field: String?, reason: String, eventID: String? = nil) {
    self.line = line
    self.field = field
    self.reason = reason
    self.eventID = eventID
  }

  public var description: String {
    var text = "line \(line): "
    if let field { text += field + ": " }
    return text + reason
  }
}

/// An event read from the interchange format, with the optional concurrency check.
public struct IncomingEvent: Hashable, Sendable {
  /// The event itself.
  public var event: Event
  /// The version the account must have before this event is appended, when given.
  public var expectedVersion: UInt64?

  /// Creates an incoming event.
  public init(event: Event, expectedVersion: UInt64? = nil) {
    self.event = event
    self.expectedVersion = expectedVersion
  }
}
