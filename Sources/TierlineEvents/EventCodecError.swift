/// A stored event record that could not be decoded.
public struct EventCodecError: Error, CustomStringConvertible, Sendable, Hashable {
  /// The zero-based byte offset in the record where decoding stopped.
  public var offset: Int
  /// The problem in plain words, such as "unknown event type 9".
  public var reason: String

  /// Creates an error at a byte offset.
  public init(offset: Int, reason: String) {
    self.offset = offset
    self.reason = reason
  }

  public var description: String { "invalid event record at byte \(offset): \(reason)" }
}
