import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// One simulated account: its hidden traits and the state that decides, day by day,
/// which events it produces.
///
/// Every draw comes from the account's own generator, seeded from the portfolio seed
/// and the account number, so an account's events do not depend on the others.
struct SampleAccount {
  /// The account's lifecycle stage.
  enum Stage {
    case waiting
    case active
    case churned(reactivationDay: Int?)
  }

  let account: AccountID
  /// `evt-<account>-`, the part of every event id before the sequence number.
  let idPrefix: String
  /// The account's position in the portfolio, from 0.
  let position: Int32
  let zone: Int
  var random: SampleRandom
  var stage = Stage.waiting
  /// The day of the latest landing, counted from the portfolio's first day.
  var landingDay: Int
  var tier = 0
  var discountPercent = 0
  /// Events emitted so far; the last part of each event id.
  var sequence = 0

  /// Share of the current tier's limit used per metric in a month (1.0 is the limit),
  /// indexed like `SampleCatalog.metrics`.
  var utilization: SIMD4<Double>
  /// Multiplier applied to utilization once a week.
  var weeklyGrowth: Double
  /// The metrics the account reports.
  var tracked = SmallIndexSet()
  /// The reported metrics that arrive daily; the others arrive weekly.
  var daily = SmallIndexSet()

  /// Day on which each milestone is reached, or `Int.max` when it never is.
  var milestoneDays = SIMD4<Int>(repeating: Int.max)
  var milestoneReached = SmallIndexSet()
  /// The earliest day in `milestoneDays` still to come, or `Int.max`.
  var nextMilestoneDay = Int.max
  var checkinDay: Int?
  var nextOrgDay: Int
  var headcount: Int64
  var headcountAtTierStart: Int64

  var offerDay: Int?
  var offerTrigger = SampleTrigger.time
  var offerOpenUntil = Int.min
  var tierChangeDay: Int?
  /// The last day a usage, milestone or organizational trigger fired.
  var lastStrongTriggerDay = Int.min
  /// The account's events folded under the built-in playbook, in occurred order, so that
  /// an offer cites a trigger that the ledger itself would show as fired.
  var audit: AccountState

  /// Draws an account's traits; it lands on `landingDay`.
  init(number: Int, seed: UInt64, landingDay: Int) {
    var expander = SplitMix64(state: seed ^ (UInt64(number) &* 0xD1B5_4A32_D192_ED03))
    var random = SampleRandom(seed: expander.next())
    account = AccountID(normalized: SampleAccount.accountID(number: number))
    idPrefix = "evt-" + account.value + "-"
    audit = AccountState(account: account, playbook: .builtInDefault)
    position = Int32(truncatingIfNeeded: number - 1)
    zone = random.pick(weights: SampleCatalog.zoneWeights)
    self.landingDay = landingDay

    let band = random.pick(weights: [30, 45, 20, 5])
    let ranges: [Range<Double>] = [0.04..<0.3, 0.3..<0.65, 0.65..<0.95, 0.95..<1.3]
    let base = random.double(in: ranges[band])
    var utilization = SIMD4<Double>(repeating: 0)
    for metric in 0..<SampleCatalog.metrics.count {
      utilization[metric] = base * random.double(in: 0.6..<1.2)
    }
    self.utilization = utilization
    weeklyGrowth = 1 + random.double(in: -0.004..<0.02)

    // Every account reports API calls; fewer report the other metrics.
    let reportShares = [1.0, 0.4, 0.25, 0.15]
    var tracked = SmallIndexSet()
    for metric in 0..<SampleCatalog.metrics.count where random.chance(reportShares[metric]) {
      tracked.insert(metric)
    }
    var daily = SmallIndexSet()
    if random.chance(0.03) { daily.insert(0) }
    if tracked.contains(2) && random.chance(0.08) { daily.insert(2) }
    self.tracked = tracked
    self.daily = daily

    headcount = 0
    headcountAtTierStart = 0
    nextOrgDay = 0
    self.random = random
  }

  /// Formats an account id such as `acct-000123`.
  static func accountID(number: Int) -> String {
    let digits = String(number)
    return "acct-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
  }

  /// Appends the account's events of one day to `queue` and returns the next day on
  /// which it may produce events, or nil when it never will again.
  /// - Parameters:
  ///   - day: Days since the portfolio's first day, in the account's local calendar.
  ///   - utcMidnight: The start of that date in UTC, in seconds since the epoch.
  mutating func step(day: Int, utcMidnight: Int64, into queue: inout ArrivalQueue) -> Int? {
    produce(day: day, utcMidnight: utcMidnight, into: &queue)
    return nextBusyDay(after: day)
  }

  /// Appends the account's events of one day to `queue`; a day with nothing to do
  /// appends nothing.
  mutating func produce(day: Int, utcMidnight: Int64, into queue: inout ArrivalQueue) {
    let dayStart = (utcMidnight - SampleCatalog.zones[zone].offsetSeconds) * 1_000_000
    switch stage {
    case .waiting:
      guard day == landingDay else { return }
      var clock = openingTime(dayStart: dayStart)
      land(day: day, reactivation: false, clock: &clock, into: &queue)
    case .churned(let reactivationDay):
      guard day == reactivationDay else { return }
      var clock = openingTime(dayStart: dayStart)
      land(day: day, reactivation: true, clock: &clock, into: &queue)
    case .active:
      var clock = openingTime(dayStart: dayStart)
      stepActive(day: day, clock: &clock, into: &queue)
    }
  }

  /// Returns the time of the day's first event: between 08:00 and 09:00 local time.
  mutating func openingTime(dayStart: Int64) -> Int64 {
    dayStart + Int64(8 * 3600 + random.int(in: 0...3599)) * 1_000_000
  }

  /// Returns the first day after `day` on which the account may produce an event,
  /// or nil when it never will again.
  func nextBusyDay(after day: Int) -> Int? {
    switch stage {
    case .waiting:
      return landingDay > day ? landingDay : nil
    case .churned(let reactivationDay):
      guard let reactivationDay, reactivationDay > day else { return nil }
      return reactivationDay
    case .active:
      if !daily.isEmpty { return day + 1 }
      let age = day - landingDay
      var next = day + 7 - (age % 7 + 7) % 7
      if nextMilestoneDay > day { next = min(next, nextMilestoneDay) }
      if nextOrgDay > day { next = min(next, nextOrgDay) }
      for case let candidate? in [checkinDay, offerDay, tierChangeDay] where candidate > day {
        next = min(next, candidate)
      }
      for offset in SampleCatalog.timeOffsetsDays where landingDay + offset > day {
        next = min(next, landingDay + offset)
      }
      return next
    }
  }

  /// Emits an event at the next moment of the day and advances the clock.
  mutating func emit(
    _ fact: SampleFact, clock: inout Int64, late: Int64 = 0, into queue: inout ArrivalQueue
  ) {
    sequence += 1
    queue.insert(
      fact, account: position, sequence: Int32(truncatingIfNeeded: sequence),
      occurredAt: clock, deliveredAt: clock + late)
    let event = Event(
      id: idPrefix + String(Int32(truncatingIfNeeded: sequence)), account: account,
      occurredAt: Timestamp(microseconds: clock),
      payload: fact.payload(timeZone: SampleCatalog.zones[zone].name))
    audit.apply(event, position: UInt64(sequence))
    clock += Int64(random.int(in: 60...5400)) * 1_000_000
  }

  /// Builds the event of a queued entry that belongs to this account.
  func event(for entry: ArrivalQueue.Entry) -> Event {
    Event(
      id: idPrefix + String(entry.sequence), account: account,
      occurredAt: Timestamp(microseconds: entry.occurredAt),
      payload: entry.fact.payload(timeZone: SampleCatalog.zones[zone].name))
  }
}
