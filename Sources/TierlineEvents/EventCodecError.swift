/// A stored event record that could not be decoded.
public struct EventCodecError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The zero-based byte offset in the record where decoding stopped.
  public var offset: Int
  /// The problem in plain words, such as "unknown event type 9".
  public var reason: String
  /// The id of the event, when it could be read.
  public var eventID: String?

  /// Creates an error at a byte offset.
  public init(offset: Int, reason: String, eventID: String? = nil) {
    self.offset = offset
    self.reason = reason
    self.eventID = eventID
  }

  public var description: String {
    let event = eventID.map { " of event \"\($0)\"" } ?? ""
    return "invalid event record\(event) at byte \(offset): \(reason)"
  }
}
