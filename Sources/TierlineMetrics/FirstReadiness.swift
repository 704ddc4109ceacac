import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// Finds the first instant at which an account was ready for the expansion conversation.
///
/// Between two consecutive event times the folded state is fixed. Each readiness
/// condition that depends on time alone turns from unmet to met at the start of a local
/// day in the account's zone: a milestone wait elapses, a time trigger fires, an open
/// offer expires. Readiness is therefore monotone inside each such interval and can only
/// begin at the interval's start or at a local midnight inside it. The search evaluates
/// readiness at the last microsecond of every interval. In the first interval where the
/// account is ready there, it returns the interval's start when ready at once, and
/// otherwise bisects over the local days of the interval for the first ready day start.
public enum FirstReadiness {
  /// Returns the first instant, at or before `asOf`, at which the account was ready
  /// under `playbook`, or nil when it never was.
  /// - Parameter events: one account's events in (occurred_at, position) order, already
  ///   cut at the view's valid and transaction time.
  public static func instant(
    account: AccountID, events: [RecordedEvent], playbook: Playbook, asOf: Timestamp
  ) -> Timestamp? {
    Fold.instant(account: account, events: events, playbook: playbook, asOf: asOf)
  }

  /// The search as a fold fed one event at a time, in fold order.
  public typealias Fold = ReadinessFold<Search>

  /// The first ready instant, once an interval has shown it; later events change nothing.
  public struct Search: ReadinessSearch {
    private var found: Timestamp?

    public init() {}

    public var isSettled: Bool { found != nil }

    public mutating func close(
      _ state: AccountState, from start: Timestamp, through end: Timestamp
    ) {
      found = Self.firstReady(state, from: start, through: end)
    }

    public func result(_ state: AccountState, from start: Timestamp, through asOf: Timestamp)
      -> Timestamp?
    {
      found ?? Self.firstReady(state, from: start, through: asOf)
    }

    /// Returns the first instant in [`start`, `end`] at which `state`, fixed over that
    /// interval, is ready, or nil when it is not ready at `end`.
    private static func firstReady(
      _ state: AccountState, from start: Timestamp, through end: Timestamp
    ) -> Timestamp? {
      guard end >= start, state.isReady(at: end) else { return nil }
      if state.isReady(at: start) { return start }
      return firstReadyDayStart(state, after: start, through: end)
    }
  }

  /// Returns the start of the first local day in (`start`, `end`] at which `state` is
  /// ready, given that it is ready at `end` and not at `start`.
  static func firstReadyDayStart(
    _ state: AccountState, after start: Timestamp, through end: Timestamp
  ) -> Timestamp {
    let zone = ZoneCalendar(identifier: state.timeZoneIdentifier) ?? .utc
    var low = zone.localDate(of: start).daysSinceEpoch + 1
    var high = zone.localDate(of: end).daysSinceEpoch
    // NOTE: with no local midnight inside the interval the monotone argument above rules
    // out a change, so `end` is returned as the one instant known to be ready.
    guard low <= high else { return end }
    while low < high {
      let middle = low + (high - low) / 2
      if state.isReady(at: zone.startOfDay(CivilDate(daysSinceEpoch: middle))) {
        high = middle
      } else {
        low = middle + 1
      }
    }
    return zone.startOfDay(CivilDate(daysSinceEpoch: low))
  }
}

/// Finds when an account's current stretch of readiness began: the first instant from
/// which it has been ready without a break through the view's valid time.
///
/// It uses the intervals of `FirstReadiness`. Inside an interval between two event
/// times readiness can only begin. So when the account is ready at an interval's end,
/// its stretch began at the interval's start if it was ready there, and otherwise at the
/// first local midnight that made it ready. A stretch that is ready at an interval's
/// start continues the previous interval's stretch when that one was ready at its end.
public enum ReadySince {
  /// Returns the start of the stretch of readiness that reaches `asOf`, or nil when the
  /// account is not ready at `asOf`.
  /// - Parameter events: one account's events in (occurred_at, position) order, already
  ///   cut at the view's valid and transaction time.
  public static func instant(
    account: AccountID, events: [RecordedEvent], playbook: Playbook, asOf: Timestamp
  ) -> Timestamp? {
    Fold.instant(account: account, events: events, playbook: playbook, asOf: asOf)
  }

  /// The search as a fold fed one event at a time, in fold order.
  public typealias Fold = ReadinessFold<Search>

  /// The start of the stretch that is ready at the end of the last interval recorded.
  public struct Search: ReadinessSearch {
    private var since: Timestamp?

    public init() {}

    public var isSettled: Bool { false }

    public mutating func close(
      _ state: AccountState, from start: Timestamp, through end: Timestamp
    ) {
      since = ReadySince.stretchStart(state, from: start, through: end, continuing: since)
    }

    public func result(_ state: AccountState, from start: Timestamp, through asOf: Timestamp)
      -> Timestamp?
    {
      ReadySince.stretchStart(state, from: start, through: asOf, continuing: since)
    }
  }

  /// Returns the start of the stretch of readiness that reaches `end`, or nil when
  /// `state` is not ready at `end`. `state` is fixed over [`start`, `end`], and
  /// `previous` starts the stretch that was ready just before `start`.
  private static func stretchStart(
    _ state: AccountState, from start: Timestamp, through end: Timestamp,
    continuing previous: Timestamp?
  ) -> Timestamp? {
    guard end >= start else { return nil }
    // Readiness only begins inside an interval, so ready at its start means ready at its
    // end. While a stretch is under way, the start is checked first, because one
    // evaluation there usually settles the interval. Otherwise the end is checked first,
    // because an interval that is not ready ends so.
    if previous != nil, state.isReady(at: start) { return previous }
    guard state.isReady(at: end) else { return nil }
    if previous == nil, state.isReady(at: start) { return start }
    return FirstReadiness.firstReadyDayStart(state, after: start, through: end)
  }
}

/// The part of a readiness search that carries from one interval between event times to
/// the next. `ReadinessFold` passes it each interval once the first event after it
/// arrives, with the state folded up to the interval's start, which is fixed over it.
public protocol ReadinessSearch: Sendable {
  /// Creates the search before any interval.
  init()
  /// Whether later intervals can no longer change the result, so that later events need
  /// not be applied.
  var isSettled: Bool { get }
  /// Records the interval [`start`, `end`], over which `state` is fixed.
  mutating func close(_ state: AccountState, from start: Timestamp, through end: Timestamp)
  /// Returns the result once the open interval [`start`, `asOf`] is included too.
  func result(_ state: AccountState, from start: Timestamp, through asOf: Timestamp)
    -> Timestamp?
}

/// A readiness search fed one event at a time, in fold order: each interval between two
/// event times goes to the search once the first event after it arrives, and the last one
/// when `instant(asOf:)` is called.
public struct ReadinessFold<Search: ReadinessSearch>: AccountEventFold, Sendable {
  private var state: AccountState
  /// The occurred time of the events applied last, which starts the open interval.
  private var intervalStart: Int64?
  private var search = Search()

  /// Creates the search for an account with no events applied yet.
  public init(account: AccountID, playbook: Playbook) {
    state = AccountState(account: account, playbook: playbook)
  }

  public mutating func apply(_ payload: Payload, occurredAt: Int64, position: UInt64) {
    guard !search.isSettled else { return }
    advance(to: occurredAt)
    state.apply(payload, occurredAt: occurredAt, position: position)
  }

  public mutating func applyUsage(
    metric: String, millionths: Int64, occurredAt: Int64, position: UInt64
  ) {
    guard !search.isSettled else { return }
    advance(to: occurredAt)
    state.applyUsage(
      metric: metric, millionths: millionths, occurredAt: occurredAt, position: position)
  }

  /// Folds `events`, one account's events in (occurred_at, position) order already cut at
  /// the view's valid and transaction time, and returns the search's result at `asOf`.
  static func instant(
    account: AccountID, events: [RecordedEvent], playbook: Playbook, asOf: Timestamp
  ) -> Timestamp? {
    var fold = Self(account: account, playbook: playbook)
    for recorded in events {
      fold.apply(recorded.event, position: recorded.position)
    }
    return fold.instant(asOf: asOf)
  }

  /// Returns the search's result with the interval from the last events through `asOf`,
  /// or nil when no event was applied.
  public func instant(asOf: Timestamp) -> Timestamp? {
    guard let start = intervalStart else { return nil }
    return search.result(state, from: Timestamp(microseconds: start), through: asOf)
  }

  /// Hands the open interval to the search when an event at a later time than its start
  /// arrives.
  private mutating func advance(to time: Int64) {
    if let start = intervalStart, time != start {
      search.close(
        state, from: Timestamp(microseconds: start), through: Timestamp(microseconds: time - 1))
    }
    intervalStart = time
  }
}
