import TierlineEvents

/// A seeded generator of a realistic sample portfolio under the built-in default
/// playbook (tiers `starter`, `growth` and `scale`).
///
/// The same account count, seed, start and length always give the same events in the
/// same order, in every process. Generation streams: memory contains the state of
/// each account, about one day of events and the late events still waiting, never
/// the whole portfolio.
public struct PortfolioGenerator: Sendable {
  /// The number of accounts, numbered from `acct-000001`.
  public let accounts: Int
  /// The seed of every random draw.
  public let seed: UInt64
  /// The first instant of the simulated period; only its UTC date is used.
  public let start: Timestamp
  /// The length of the simulated period in calendar months.
  public let months: Int

  /// 2024-01-01T00:00:00Z, the default start.
  public static let defaultStart = Timestamp(seconds: 1_704_067_200)

  /// Creates a generator for `accounts` accounts that land during `months` calendar
  /// months from `start`.
  public init(accounts: Int, seed: UInt64, start: Timestamp = defaultStart, months: Int = 24) {
    self.accounts = max(0, accounts)
    self.seed = seed
    self.start = start
    self.months = max(1, months)
  }

  /// The number of days in the simulated period.
  public var days: Int {
    let first = CivilDate(daysSinceEpoch: Int(start.epochSeconds / 86_400))
    let monthIndex = first.month - 1 + months
    let year = first.year + monthIndex / 12
    let month = monthIndex % 12 + 1
    let day = min(first.day, CivilDate.daysInMonth(year: year, month: month))
    let last = CivilDate(year: year, month: month, day: day) ?? first
    return first.days(until: last)
  }

  /// Calls `body` with every event in arrival order: the order in which a source
  /// would deliver them.
  ///
  /// Arrival order is occurred order, except that about 2% of usage records arrive
  /// 2 to 35 days late. Every account lands first, changes tier only one step up or
  /// down, and produces nothing after churn except a possible second landing.
  /// - Throws: Whatever `body` throws; generation stops there.
  public func generate(_ body: (Event) throws -> Void) rethrows {
    let dayCount = days
    let firstDay = start.epochSeconds / 86_400
    var landingRandom = SampleRandom(seed: seed)
    var portfolio: [SampleAccount] = []
    portfolio.reserveCapacity(accounts)
    // agenda[day] lists the accounts to visit that day. Each account sits in exactly
    // one entry, so quiet days cost nothing.
    var agenda = [[Int32]](repeating: [], count: dayCount)
    for number in stride(from: 1, through: accounts, by: 1) {
      let landingDay = 1 + Int(landingRandom.below(UInt64(max(1, dayCount - 1))))
      portfolio.append(SampleAccount(number: number, seed: seed, landingDay: landingDay))
      if landingDay < dayCount { agenda[landingDay].append(Int32(number - 1)) }
    }

    var queue = ArrivalQueue()
    for day in 0..<dayCount {
      let utcMidnight = (firstDay + Int64(day)) * 86_400
      // Visiting in account order walks `portfolio` front to back, which keeps the
      // memory access pattern sequential.
      let visits = agenda[day].sorted()
      agenda[day] = []
      for visit in visits {
        let next = portfolio[Int(visit)].step(day: day, utcMidnight: utcMidnight, into: &queue)
        if let next, next < dayCount {
          agenda[next].append(visit)
        }
      }
      // Local days start at most 14 hours before the UTC day, so no event of a later
      // day can occur before this cutoff.
      let cutoff = (utcMidnight + 86_400 - 14 * 3_600) * 1_000_000
      try queue.release(before: cutoff) { entry in
        try body(portfolio[Int(entry.account)].event(for: entry))
      }
    }
    try queue.release(before: Int64.max) { entry in
      try body(portfolio[Int(entry.account)].event(for: entry))
    }
  }
}
