import Foundation
import TierlineEvents

/// Calendar arithmetic in one IANA time zone: local dates of instants and the first
/// instant of a local date.
///
/// Offsets come from spans kept per zone for the whole process, and Foundation is asked
/// only for an instant outside them. Hot paths go through `LocalDayWindow`, which caches
/// the span of instants that share one local date.
public struct ZoneCalendar: Hashable, Sendable {
  /// The zone's number in the process-wide table of zones, which gives each identifier
  /// one number. A calendar holds nothing else, so copying it retains nothing, and the
  /// accounts of a zone, folded on several threads, share no reference counts through it.
  private let number: Int

  /// The IANA identifier, such as `America/New_York`.
  public var identifier: String { Self.zones.identifier(of: number) }

  /// Foundation's time zone, asked only for offsets not yet in the table.
  private var zone: TimeZone { Self.zones.zone(of: number) }

  /// Creates the calendar of a zone; returns nil when Foundation does not know `identifier`.
  ///
  /// Zones are kept per identifier for the whole process, because every landing creates
  /// a calendar, and asking Foundation for the zone each time cost more than the
  /// landing's other work.
  public init?(identifier: String) {
    if let known = Self.zones.number(of: identifier) {
      number = known
      return
    }
    guard let zone = TimeZone(identifier: identifier) else { return nil }
    number = Self.zones.add(identifier, zone: zone)
  }

  private init(number: Int) {
    self.number = number
  }

  /// Coordinated Universal Time, the fallback for a zone that Foundation does not know.
  public static let utc = ZoneCalendar(
    number: zones.add("UTC", zone: TimeZone(secondsFromGMT: 0) ?? TimeZone.current))

  private static let zones = KnownZones()

  /// Returns the zone's offset from UTC at `instant`, in seconds (east positive).
  ///
  /// The offset comes from the spans that `offsetSpan(containing:)` keeps, so repeated
  /// queries in one span do not ask Foundation again.
  public func offsetSeconds(at instant: Timestamp) -> Int64 {
    offsetSpan(containing: instant).offset
  }

  /// Returns the local calendar date at `instant`: the instant shifted by the zone offset
  /// in force at that instant.
  public func localDate(of instant: Timestamp) -> CivilDate {
    let local = instant.epochSeconds + offsetSeconds(at: instant)
    return CivilDate(daysSinceEpoch: Int(floorDivide(local, 86_400)))
  }

  /// Returns the first instant whose local date is `date`, or is later when the zone
  /// skipped `date` entirely (Pacific/Apia skipped 2011-12-30).
  ///
  /// That is local midnight, or the end of the gap when a daylight saving change skips
  /// midnight. Midnight is tried first; otherwise a bisection over whole seconds finds the
  /// boundary, so the result is exact for any offset.
  public func startOfDay(_ date: CivilDate) -> Timestamp {
    startOfDay(daysSinceEpoch: date.daysSinceEpoch)
  }

  /// Returns the first instant of the local date `day` days after 1970-01-01, as
  /// `startOfDay(_:)` does.
  public func startOfDay(daysSinceEpoch day: Int) -> Timestamp {
    let nominal = Int64(day) * 86_400
    // Usually one known span of a single offset covers local midnight and the second
    // before it, so midnight is the nominal time shifted by that offset.
    if let span = Self.zones.span(of: number, containing: nominal) {
      let midnight = nominal - span.offset
      if midnight - 1 >= span.start, midnight < span.end {
        return Timestamp(seconds: midnight)
      }
    }
    let date = CivilDate(daysSinceEpoch: day)

    let guess = nominal - offsetSeconds(at: Timestamp(seconds: nominal))
    let midnight = Timestamp(seconds: nominal - offsetSeconds(at: Timestamp(seconds: guess)))
    let secondBefore = Timestamp(seconds: midnight.epochSeconds - 1)
    if localDate(of: midnight) == date, localDate(of: secondBefore) < date {
      return midnight
    }

    // Offsets lie within ±26 hours, so the result lies within two days of nominal midnight.
    var low = nominal - 2 * 86_400
    var high = nominal + 2 * 86_400
    while low < high {
      let middle = low + (high - low) / 2
      if localDate(of: Timestamp(seconds: middle)) < date {
        low = middle + 1
      } else {
        high = middle
      }
    }
    return Timestamp(seconds: low)
  }

  /// Returns the last microsecond whose local date is `date`, or the last one before the
  /// next day when the zone skipped `date`.
  ///
  /// That is usually one microsecond before the next day starts. When the clock is set
  /// back across midnight, as in America/St_Johns on 1 November 2009, part of `date`
  /// comes again after the next day began, and `date` ends at the second midnight.
  public func endOfDay(_ date: CivilDate) -> Timestamp {
    var end = startOfDay(date.adding(days: 1)).microseconds - 1
    // Offset changes in the next two days may set the clock back to `date`.
    var probe = end + 1
    let limit = min(probe + 2 * 86_400_000_000, Timestamp.maximum.microseconds)
    while probe < limit {
      probe = offsetSpan(containing: Timestamp(microseconds: probe)).end
      guard probe < limit else { break }
      let instant = Timestamp(microseconds: probe)
      if localDate(of: instant) == date {
        let midnight = Int64(date.daysSinceEpoch + 1) * 86_400 - offsetSeconds(at: instant)
        end = midnight * 1_000_000 - 1
      }
    }
    return Timestamp(microseconds: end)
  }

  /// Returns the span of instants around `instant` that share its local date.
  ///
  /// The span ends at the next local midnight or the next offset change, whichever comes
  /// first, so the cached date stays right across daylight saving changes.
  public func dayWindow(containing instant: Timestamp) -> LocalDayWindow {
    let seconds = instant.epochSeconds
    let span = offsetSpan(containing: instant)
    let offset = span.offset
    let local = seconds + offset
    let day = floorDivide(local, 86_400)
    let nextMidnight = (day + 1) * 86_400 - offset
    // A span ends at the next offset change or earlier, never later.
    let end = min(nextMidnight, span.end / 1_000_000)
    // The window starts at the instant itself: events arrive in time order, so the cache
    // only has to cover instants from here on.
    return LocalDayWindow(
      start: instant.microseconds, end: max(end, seconds + 1) * 1_000_000,
      daysSinceEpoch: Int(day))
  }
}

extension ZoneCalendar {
  /// Returns the span of instants from `instant` up to the zone's next offset change,
  /// all with the same offset from UTC (µs since the epoch, offset in seconds).
  ///
  /// A zone with no further change gets a span up to the next multiple of 366 days since
  /// the epoch, so that a rule change that Foundation reports later is still picked up.
  ///
  /// Spans are kept per zone for the whole process, because Foundation's transition
  /// lookup is slow (in a profile, ICU copied the zone's rules on each call) and a replay
  /// looks up the same spans again for every account.
  public func offsetSpan(containing instant: Timestamp) -> (start: Int64, end: Int64, offset: Int64)
  {
    let seconds = instant.epochSeconds
    if let known = Self.zones.span(of: number, containing: seconds) {
      return (instant.microseconds, known.end * 1_000_000, known.offset)
    }
    // The zone is read from the table once, because each read takes the table's lock.
    let zone = self.zone
    let moment = Date(timeIntervalSince1970: Double(seconds))
    let offset = Int64(zone.secondsFromGMT(for: moment))
    // Queries in one 366-day period share one cached span when no change comes first.
    let period: Int64 = 366 * 86_400
    var end = (floorDivide(seconds, period) + 1) * period
    if let change = zone.nextDaylightSavingTimeTransition(after: moment) {
      end = min(end, Int64(change.timeIntervalSince1970.rounded(.up)))
    }
    end = max(end, seconds + 1)
    Self.zones.insert(number, start: seconds, end: end, offset: offset)
    return (instant.microseconds, end * 1_000_000, offset)
  }
}

/// A span of seconds `[start, end)` in which a zone keeps one offset from UTC.
private struct OffsetSpan {
  var start: Int64
  var end: Int64
  var offset: Int64
}

extension [OffsetSpan] {
  /// Returns the span that contains `seconds`, or nil when none does. The spans are
  /// sorted by end.
  func span(containing seconds: Int64) -> (start: Int64, end: Int64, offset: Int64)? {
    // The buffer pointer reads the spans without retaining the array.
    withUnsafeBufferPointer { spans in
      let index = Self.firstIndex(in: spans, endingAfter: seconds)
      guard index < spans.count, spans[index].start <= seconds else { return nil }
      return (spans[index].start, spans[index].end, spans[index].offset)
    }
  }

  /// Adds a span, or widens the known span with the same end and offset.
  mutating func add(start: Int64, end: Int64, offset: Int64) {
    let index = withUnsafeBufferPointer { Self.firstIndex(in: $0, endingAfter: end - 1) }
    if index < count, self[index].end == end, self[index].offset == offset {
      self[index].start = Swift.min(self[index].start, start)
    } else {
      insert(OffsetSpan(start: start, end: end, offset: offset), at: index)
    }
  }

  /// Returns the index of the first span whose end is after `seconds`.
  private static func firstIndex(
    in spans: UnsafeBufferPointer<OffsetSpan>, endingAfter seconds: Int64
  ) -> Int {
    var low = 0
    var high = spans.count
    while low < high {
      let middle = (low + high) / 2
      if spans[middle].end <= seconds {
        low = middle + 1
      } else {
        high = middle
      }
    }
    return low
  }
}

/// The zones created so far, by number, with spans of seconds with one offset for each,
/// shared by every thread.
///
/// A span runs from the earliest instant asked about up to the zone's next offset change,
/// so two spans that end at the same change merge into one. Each thread also keeps a
/// copy of the spans it has looked up, which it reads without the lock. On two folding
/// threads, the lock took about 2% of the rebuild's CPU time.
private final class KnownZones: @unchecked Sendable {
  private let lock = NSLock()
  /// The number of each zone identifier seen, an index into the arrays below.
  private var numbers: [String: Int] = [:]
  private var identifiers: [String] = []
  private var zones: [TimeZone] = []
  /// Each zone's spans, sorted by end; written only under `lock`. A pointer, not a stored
  /// `var`, so that reading it costs no dynamic exclusivity check.
  private let byZone = UnsafeMutablePointer<[[OffsetSpan]]>.allocate(capacity: 1)

  init() {
    byZone.initialize(to: [])
  }

  /// Returns the number of the zone `identifier`, or nil when it has none yet.
  func number(of identifier: String) -> Int? {
    lock.withLock { numbers[identifier] }
  }

  /// Returns the number of the zone `identifier`, giving it the next one with `zone` when
  /// it has none yet.
  func add(_ identifier: String, zone: TimeZone) -> Int {
    lock.withLock {
      if let known = numbers[identifier] { return known }
      numbers[identifier] = identifiers.count
      identifiers.append(identifier)
      zones.append(zone)
      byZone.pointee.append([])
      return identifiers.count - 1
    }
  }

  /// Returns the identifier of the zone `number`.
  func identifier(of number: Int) -> String {
    lock.withLock { identifiers[number] }
  }

  /// Returns Foundation's time zone of the zone `number`.
  func zone(of number: Int) -> TimeZone {
    lock.withLock { zones[number] }
  }

  /// Returns the known span of `zone` that contains `seconds`, all of whose seconds
  /// have one offset, or nil when no known span contains it.
  func span(of zone: Int, containing seconds: Int64) -> (start: Int64, end: Int64, offset: Int64)? {
    ThreadSpans.withCurrent { local in
      if let known = local.span(of: zone, containing: seconds) { return known }
      let shared = lock.withLock { byZone.pointee[zone].span(containing: seconds) }
      if let shared { local.add(zone, start: shared.start, end: shared.end, offset: shared.offset) }
      return shared
    }
  }

  func insert(_ zone: Int, start: Int64, end: Int64, offset: Int64) {
    lock.withLock { byZone.pointee[zone].add(start: start, end: end, offset: offset) }
    ThreadSpans.withCurrent { $0.add(zone, start: start, end: end, offset: offset) }
  }
}

/// The offset spans that one thread has looked up or added, by zone number.
private final class ThreadSpans {
  private var byZone: [[OffsetSpan]] = []

  /// The key of each thread's `ThreadSpans`, released when the thread exits.
  private static let key: pthread_key_t = {
    var key = pthread_key_t()
    let created = pthread_key_create(&key) { pointer in
      guard let pointer else { return }
      Unmanaged<ThreadSpans>.fromOpaque(pointer).release()
    }
    precondition(created == 0, "pthread_key_create failed with \(created)")
    return key
  }()

  /// Calls `body` with the calling thread's spans, which it creates on first use.
  static func withCurrent<Result>(_ body: (ThreadSpans) -> Result) -> Result {
    if let pointer = pthread_getspecific(key) {
      return Unmanaged<ThreadSpans>.fromOpaque(pointer)._withUnsafeGuaranteedRef(body)
    }
    let spans = ThreadSpans()
    pthread_setspecific(key, Unmanaged.passRetained(spans).toOpaque())
    return body(spans)
  }

  func span(of zone: Int, containing seconds: Int64) -> (start: Int64, end: Int64, offset: Int64)? {
    zone < byZone.count ? byZone[zone].span(containing: seconds) : nil
  }

  func add(_ zone: Int, start: Int64, end: Int64, offset: Int64) {
    if zone >= byZone.count {
      byZone.append(contentsOf: repeatElement([], count: zone + 1 - byZone.count))
    }
    byZone[zone].add(start: start, end: end, offset: offset)
  }
}

/// A span of instants `[start, end)` (µs since the epoch) that share one local date.
public struct LocalDayWindow: Hashable, Sendable, Codable {
  /// The first instant covered, in µs since the epoch.
  public var start: Int64
  /// The first instant no longer covered, in µs since the epoch.
  public var end: Int64
  /// The shared local date, as days since 1970-01-01.
  public var daysSinceEpoch: Int

  /// An empty window that contains no instant.
  public static let empty = LocalDayWindow(start: 0, end: 0, daysSinceEpoch: 0)

  /// Returns whether `microseconds` lies in the window.
  @inline(__always)
  public func contains(_ microseconds: Int64) -> Bool {
    microseconds >= start && microseconds < end
  }
}

/// A calendar month of usage in the account's zone, such as 2024-03.
public struct UsageMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// The month as `year * 12 + (month - 1)`.
  public var index: Int

  /// Creates the month that contains `date`.
  public init(containing date: CivilDate) {
    index = date.year * 12 + date.month - 1
  }

  /// Creates a month from its index.
  public init(index: Int) {
    self.index = index
  }

  /// The month as `YYYY-MM`.
  public var description: String {
    let year = index / 12
    let month = index % 12 + 1
    let yearText = String(year)
    return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
      + (month < 10 ? "-0" : "-") + String(month)
  }

  public static func < (lhs: UsageMonth, rhs: UsageMonth) -> Bool {
    lhs.index < rhs.index
  }
}

/// Divides rounding toward negative infinity.
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
  value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
}
