import TierlineEvents
import TierlinePlaybook

/// The folded state of one account under one playbook.
///
/// The playbook is fixed at creation: replaying under other rules means folding again
/// from a fresh state. Instants are stored as µs since the epoch and local dates as days
/// since 1970-01-01 in the account's zone, so that `apply` stays cheap.
public struct AccountState: Hashable, Sendable, Codable {
  /// The account whose events this state folds.
  public let account: String
  /// The rules the fold applies.
  public let playbook: Playbook

  /// The account's life-cycle status.
  public internal(set) var status: AccountStatus = .notLanded
  /// Events that occurred before the first landing; they change nothing else.
  public internal(set) var eventsBeforeLanding = 0
  /// Events after landing that change nothing; see `AccountProjection.eventsIgnored`.
  public internal(set) var eventsIgnored = 0
  /// Of `eventsIgnored`, the landings while active.
  public internal(set) var secondLandingsIgnored = 0
  /// Of `eventsIgnored`, the check-ins while active of a kind the rules do not schedule.
  public internal(set) var unscheduledCheckinsIgnored = 0
  /// Instants (µs) at which the account returned after churn.
  public internal(set) var reactivations: [Int64] = []

  var tier = ""
  var acvMinorUnits: Int64 = 0
  var currencyCode = ""
  var currencyDigits = 2
  var zoneIdentifier = "UTC"
  var landedAt: Int64 = 0
  var landedDay = 0
  var firstValueAt: Int64?
  var firstValueDay: Int?
  var checkinCompletedAt: Int64?
  /// The first time each milestone that the playbook names was reached since the latest
  /// landing.
  var milestones = MilestoneTimes()

  /// The instant of the latest landing or tier change; triggers count from here.
  var tierSince: Int64 = 0
  /// The number of landings and tier changes, which tells whether one came after an offer.
  var tierEpoch = 0
  /// Usage tracking for each limit of the current tier, in the playbook's limit order.
  var usage: [UsageTracker] = []
  /// The local month that the trackers' aggregates belong to.
  var usageMonth = UsageMonth(index: 0)
  var usageFiredAt: Int64?
  var organization = OrganizationTracker()

  var offers: [OfferRecord] = []
  /// Whether an offer's `triggerCheckPending` is set.
  var offerChecksPending = false
  var expansions: [ExpansionReport] = []

  /// The valid time of the last event applied, in µs since the epoch.
  public internal(set) var lastOccurredAt: Int64?
  /// The log position of the last event applied.
  public internal(set) var lastPosition: UInt64?

  var cache = CalendarCache()
  /// The tracker of each metric number passed to `applyUsage(metric:of:...)` so far in
  /// the current tier.
  var trackerOfMetric = TrackerOfMetric()

  /// Creates the state of an account that has no events yet.
  public init(account: AccountID, playbook: Playbook) {
    self.account = account.value
    self.playbook = playbook
  }

  /// The valid time and log position of the last event applied, or nil before the first.
  ///
  /// An event that sorts before this pair arrived late: the caller must fold again from
  /// scratch (or from an earlier checkpoint) instead of applying it here.
  public var lastApplied: (occurredAt: Timestamp, position: UInt64)? {
    guard let occurred = lastOccurredAt, let position = lastPosition else { return nil }
    return (Timestamp(microseconds: occurred), position)
  }
}

/// The life-cycle status of an account.
public enum AccountStatus: String, Hashable, Sendable, Codable {
  /// No `account.landed` event yet.
  case notLanded = "not_landed"
  /// Landed or returned, and paying.
  case active
  /// Left entirely.
  case churned
}

/// One monthly usage limit of the current tier and how close the account came to it.
struct UsageTracker: Hashable, Sendable, Codable {
  var metric: String
  var aggregation: Aggregation
  /// The threshold share of the limit, in millionths of a unit, rounded up.
  var required: Int64
  /// The aggregate of `AccountState.usageMonth` since the last tier change, in millionths.
  var value: Int64 = 0
  var crossedAt: Int64?
  var crossedMonth: UsageMonth?
  var crossedValue: Int64 = 0
}

/// Organizational changes since the last tier change.
struct OrganizationTracker: Hashable, Sendable, Codable {
  var baselineHeadcount: Int64?
  var latestHeadcount: Int64?
  var headcountFiredAt: Int64?
  var headcountAtFiring: Int64?
  var departmentsAdded = 0
  var departmentFiredAt: Int64?
  var useCasesAdded = 0
  var useCaseFiredAt: Int64?

  /// The earliest of the organizational firings.
  var firedAt: Int64? {
    earliest(earliest(headcountFiredAt, departmentFiredAt), useCaseFiredAt)
  }

  private func earliest(_ first: Int64?, _ second: Int64?) -> Int64? {
    guard let first else { return second }
    guard let second else { return first }
    return min(first, second)
  }
}

/// The first time each milestone was reached, in the order of reaching them.
///
/// A playbook names a few milestones, and the fold records only those, so a search
/// through a short list is cheaper than hashing every name into a dictionary.
struct MilestoneTimes: Hashable, Sendable, Codable {
  private var names: [String] = []
  private var times: [Int64] = []

  /// The first time `name` was reached, or nil.
  subscript(name: String) -> Int64? {
    names.firstIndex(of: name).map { times[$0] }
  }

  /// Records that `name` was reached at `at`, unless it was reached before, and returns
  /// whether it was new.
  mutating func recordFirst(_ name: String, at: Int64) -> Bool {
    guard !names.contains(name) else { return false }
    names.append(name)
    times.append(at)
    return true
  }

  init() {}

  /// The times by name. Names are unique, because `recordFirst` keeps only the first.
  private var byName: [String: Int64] {
    Dictionary(uniqueKeysWithValues: zip(names, times))
  }

  /// Decodes the times as a JSON object keyed by name, the form of a dictionary.
  init(from decoder: any Decoder) throws {
    let byName = try decoder.singleValueContainer().decode([String: Int64].self)
    for (name, time) in byName.sorted(by: { ($0.value, $0.key) < ($1.value, $1.key) }) {
      names.append(name)
      times.append(time)
    }
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(byName)
  }

  static func == (lhs: MilestoneTimes, rhs: MilestoneTimes) -> Bool {
    lhs.byName == rhs.byName
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(byName)
  }
}

/// An expansion offer as applied.
struct OfferRecord: Hashable, Sendable, Codable {
  var at: Int64
  var to: String
  var by: String
  var trigger: String?
  /// The tier epoch at the offer; a later landing or tier change closes it.
  var epoch: Int
  /// Whether the trigger type the offer names had fired, and counted, on the offer's tier
  /// by the offer's time, or nil when the offer names no trigger. While
  /// `triggerCheckPending` is set, it comes from the events before the offer.
  var triggerFired: Bool? = nil
  /// Whether `triggerFired` waits for the other events of the offer's instant.
  var triggerCheckPending = false
}

/// The zone calendar and the local day of the latest instant looked up.
///
/// It is derived data: it takes no part in equality, hashing or coding, so a state folded
/// incrementally equals one folded from scratch.
struct CalendarCache: Hashable, Sendable, Codable {
  var calendar: ZoneCalendar?
  var window = LocalDayWindow.empty
  var month = UsageMonth(index: 0)
  /// The first instant (µs) after `window.start` outside `month` or the cached offset.
  var monthEnd: Int64 = 0
  /// Instants from `offsetStart` up to `offsetEnd` (µs) have the zone offset `offset`.
  var offsetStart: Int64 = 0
  var offsetEnd: Int64 = 0
  var offset: Int64 = 0

  init() {}

  init(from decoder: any Decoder) throws {}

  func encode(to encoder: any Encoder) throws {}

  static func == (lhs: CalendarCache, rhs: CalendarCache) -> Bool { true }

  func hash(into hasher: inout Hasher) {}
}

/// The usage tracker of each metric number that a replay passes, remembered until the
/// tier changes.
///
/// It is derived data: it takes no part in equality, hashing or coding, like
/// `CalendarCache`.
struct TrackerOfMetric: Hashable, Sendable, Codable {
  /// The tracker index of each metric number, as `AccountState.firstTracker(named:)`
  /// returns it, or -1 for a number not looked up yet.
  private var indices: [Int32] = []

  init() {}

  init(from decoder: any Decoder) throws {}

  func encode(to encoder: any Encoder) throws {}

  static func == (lhs: TrackerOfMetric, rhs: TrackerOfMetric) -> Bool { true }

  func hash(into hasher: inout Hasher) {}

  /// Returns the remembered tracker index of `metric`, or nil when the number was not
  /// looked up yet.
  func index(of metric: Int) -> Int? {
    guard metric < indices.count, indices[metric] >= 0 else { return nil }
    return Int(indices[metric])
  }

  /// Remembers that `metric` has the tracker index `index`.
  mutating func remember(_ index: Int, of metric: Int) {
    if metric >= indices.count {
      indices.append(contentsOf: repeatElement(-1, count: metric + 1 - indices.count))
    }
    indices[metric] = Int32(index)
  }
}
