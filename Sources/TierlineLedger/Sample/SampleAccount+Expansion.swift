import TierlineEvents

extension SampleAccount {
  /// Emits one organizational change and fires the organizational trigger when the
  /// change suggests more capacity.
  mutating func changeOrganization(
    day: Int, clock: inout Int64, into queue: inout ArrivalQueue
  ) {
    let change: SampleFact
    var suggestsCapacity = true
    switch random.pick(weights: [50, 25, 25]) {
    case 0:
      let growthPercent = Int64(random.int(in: 2...45))
      headcount += max(1, headcount * growthPercent / 100)
      change = .headcount(headcount)
      suggestsCapacity = headcount * 100 >= headcountAtTierStart * 120
    case 1:
      change = .departmentAdded(Int8(random.int(in: 0...(SampleCatalog.departments.count - 1))))
    default:
      change = .useCaseAdded(Int8(random.int(in: 0...(SampleCatalog.useCases.count - 1))))
    }
    emit(change, clock: &clock, into: &queue)

    nextOrgDay = day + random.int(in: 60...300)
    if suggestsCapacity { fire(trigger: .organizational, day: day) }
  }

  /// Records that a trigger fired on `day` and, with a probability that depends on
  /// the trigger, schedules an offer of the next tier.
  ///
  /// Nothing is scheduled on the top tier, while an offer is open or already
  /// scheduled, or while a tier change is pending.
  mutating func fire(trigger: SampleTrigger, day: Int) {
    if trigger != .time { lastStrongTriggerDay = day }
    guard tier < SampleCatalog.tiers.count - 1, offerDay == nil, tierChangeDay == nil,
      offerOpenUntil < day
    else { return }

    let probability: Double
    switch trigger {
    case .usage: probability = 0.45
    case .milestone: probability = 0.5
    case .organizational: probability = 0.3
    case .time: probability = 0.2
    }
    guard random.chance(probability) else { return }
    offerTrigger = trigger
    offerDay = day + (trigger == .milestone ? 0 : random.int(in: 1...10))
  }

  /// Emits `expansion.offered` for the next tier and decides whether it is accepted.
  mutating func makeOffer(day: Int, clock: inout Int64, into queue: inout ArrivalQueue) {
    offerDay = nil
    guard tier < SampleCatalog.tiers.count - 1, tierChangeDay == nil else { return }
    emit(
      .offered(to: Int8(tier + 1), trigger: citedTrigger(at: clock)), clock: &clock, into: &queue)

    offerOpenUntil = day + SampleCatalog.offerValidDays
    let acceptance = offerTrigger == .usage || offerTrigger == .milestone ? 0.45 : 0.25
    if random.chance(acceptance) {
      tierChangeDay = day + random.int(in: 3...60)
    }
  }

  /// Returns the trigger an offer made at `clock` cites: the one that prompted it when
  /// the built-in playbook shows it fired, else another fired one, else none.
  func citedTrigger(at clock: Int64) -> SampleTrigger? {
    let projection = audit.projection(
      asOf: Timestamp(microseconds: clock), knownAt: .maximum, rulesVersion: "")
    let fired = Set(projection.triggers.filter(\.fired).map(\.type))
    if fired.contains(offerTrigger.name) { return offerTrigger }
    return SampleTrigger.allCases.first { fired.contains($0.name) }
  }

  /// Emits `tier.changed` and rescales utilization to the new tier's limits.
  mutating func changeTier(
    to newTier: Int, day: Int, clock: inout Int64, into queue: inout ArrivalQueue
  ) {
    let contraction = newTier < tier
    for metric in 0..<SampleCatalog.metrics.count {
      let ratio = SampleCatalog.limits[tier][metric] / SampleCatalog.limits[newTier][metric]
      utilization[metric] *= ratio
    }
    tier = newTier
    tierChangeDay = nil
    offerDay = nil
    offerOpenUntil = Int.min
    headcountAtTierStart = headcount

    let change = SampleFact.tierChanged(
      to: Int8(newTier), discountPercent: Int8(discountPercent), contraction: contraction)
    emit(change, clock: &clock, into: &queue)

    let required = SampleCatalog.transitionMilestones[tier]
    if !required.isEmpty && required.allSatisfy({ milestoneReached.contains($0) }) {
      fire(trigger: .milestone, day: day + SampleCatalog.transitionWaitDays[tier])
    }
  }

  /// Runs the weekly checks: the usage trigger, unprompted expansion, contraction
  /// and churn. Churn is the last event of its day.
  mutating func reviewWeek(day: Int, clock: inout Int64, into queue: inout ArrivalQueue) {
    let busiest = busiestUtilization
    if busiest >= SampleCatalog.usageThreshold {
      fire(trigger: .usage, day: day)
    }

    let canMoveUp = tier < SampleCatalog.tiers.count - 1 && tierChangeDay == nil
    if canMoveUp && busiest >= 1.1 && random.chance(0.02) {
      changeTier(to: tier + 1, day: day, clock: &clock, into: &queue)
      return
    }
    if tier > 0 && busiest < 0.1 && random.chance(0.01) {
      changeTier(to: tier - 1, day: day, clock: &clock, into: &queue)
      return
    }

    let hazard = busiest < 0.2 ? 0.004 : 0.0012
    guard random.chance(hazard) else { return }
    let reason = random.int(in: 0...(SampleCatalog.churnReasons.count - 1))
    emit(.churned(reason: Int8(reason)), clock: &clock, into: &queue)
    let reactivation: Int? = random.chance(0.2) ? day + random.int(in: 60...240) : nil
    stage = .churned(reactivationDay: reactivation)
  }

  /// The highest utilization among the metrics the account reports.
  var busiestUtilization: Double {
    var busiest = 0.0
    for metric in 0..<SampleCatalog.metrics.count where tracked.contains(metric) {
      busiest = max(busiest, utilization[metric])
    }
    return busiest
  }
}
