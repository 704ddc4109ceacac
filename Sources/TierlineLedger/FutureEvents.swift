import TierlineEvents

/// The events of an input that occurred more than a day after the time it was read, which
/// a wrong year or a time in milliseconds often causes.
///
/// Such events are stored as given, because a source may date a change ahead. They count
/// only for `--as-of` times after their own, so a warning names them.
public struct FutureEvents: Sendable {
  /// Events later than this are counted: one day after the time the input was read.
  public let limit: Timestamp
  public private(set) var count = 0
  /// The line and time of the latest such event.
  public private(set) var latest: (line: Int, at: Timestamp)?

  /// Creates an empty count for an input read at `now`.
  public init(now: Timestamp = .now) {
    limit = Timestamp(microseconds: now.microseconds &+ 86_400_000_000)
  }

  /// Counts `event` when it occurred after `limit`.
  public mutating func add(_ event: NumberedEvent) {
    let at = event.incoming.event.occurredAt
    guard at > limit else { return }
    count += 1
    if latest.map({ at > $0.at }) ?? true { latest = (event.line, at) }
  }

  /// Returns the warning for the events counted, without the `warning: ` prefix, or nil
  /// when there are none. `unit` names what a line number counts, such as `line`, and
  /// `events` names the events counted, such as "new events".
  public func warning(unit: String = "line", events noun: String = "events") -> String? {
    guard let latest else { return nil }
    let events = "\(count) " + (count == 1 ? String(noun.dropLast()) : noun)
    return "\(events) occurred more than a day after now, the latest at "
      + "\(latest.at.rfc3339) (\(unit) \(latest.line)). They count only for --as-of times "
      + "after their own, so check their times: a wrong year or milliseconds read as "
      + "seconds give such times"
  }
}
