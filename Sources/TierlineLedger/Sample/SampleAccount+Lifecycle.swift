import TierlineEvents

extension SampleAccount {
  /// Emits `account.landed` and schedules the onboarding that follows it.
  mutating func land(
    day: Int, reactivation: Bool, clock: inout Int64, into queue: inout ArrivalQueue
  ) {
    if !reactivation {
      tier = random.pick(weights: [75, 20, 5])
      discountPercent =
        SampleCatalog.landingDiscounts[random.pick(weights: SampleCatalog.landingDiscountWeights)]
      let headcountRanges: [ClosedRange<Int>] = [8...80, 50...400, 200...2500]
      headcount = Int64(random.int(in: headcountRanges[tier]))
      scheduleMilestones(from: day)
      if random.chance(0.85) {
        let window = random.pick(weights: [10, 75, 15])
        let ranges: [ClosedRange<Int>] = [40...54, 55...75, 76...110]
        checkinDay = day + random.int(in: ranges[window])
      }
    } else {
      tier = random.chance(0.7) ? 0 : min(tier, 1)
      for metric in 0..<SampleCatalog.metrics.count {
        utilization[metric] = random.double(in: 0.2..<0.7)
      }
    }

    stage = .active
    landingDay = day
    headcountAtTierStart = headcount
    nextOrgDay = day + random.int(in: 30...240)
    offerDay = nil
    tierChangeDay = nil
    offerOpenUntil = Int.min
    lastStrongTriggerDay = Int.min

    let landed = SampleFact.landed(tier: Int8(tier), discountPercent: Int8(discountPercent))
    emit(landed, clock: &clock, into: &queue)
  }

  /// Draws the days on which the account reaches each adoption milestone.
  mutating func scheduleMilestones(from day: Int) {
    let speed = random.pick(weights: [40, 38, 15, 7])
    let ttfvRanges: [ClosedRange<Int>] = [3...29, 30...60, 61...120, 0...0]
    guard speed < 3 else { return }
    let firstValue = day + random.int(in: ttfvRanges[speed])
    milestoneDays[0] = firstValue
    if random.chance(0.7) {
      let integration = firstValue + random.int(in: 10...60)
      milestoneDays[1] = integration
      if random.chance(0.55) {
        milestoneDays[2] = integration + random.int(in: 20...120)
      }
    }
    if random.chance(0.35) {
      milestoneDays[3] = firstValue + random.int(in: 30...200)
    }
    nextMilestoneDay = milestoneDays.min()
  }

  /// Produces one day of an active account: usage first, then the day's other events.
  mutating func stepActive(day: Int, clock: inout Int64, into queue: inout ArrivalQueue) {
    let age = day - landingDay
    let weekly = age > 0 && age % 7 == 0
    if weekly {
      for metric in 0..<SampleCatalog.metrics.count {
        utilization[metric] *= weeklyGrowth * random.double(in: 0.98..<1.02)
      }
    }
    for metric in 0..<SampleCatalog.metrics.count where tracked.contains(metric) {
      let isDaily = daily.contains(metric)
      if isDaily && age > 0 || weekly && !isDaily {
        recordUsage(metric: metric, daily: isDaily, clock: &clock, into: &queue)
      }
    }

    reachMilestones(day: day, clock: &clock, into: &queue)
    if checkinDay == day { completeCheckin(clock: &clock, into: &queue) }
    if nextOrgDay == day { changeOrganization(day: day, clock: &clock, into: &queue) }
    if offerDay == day { makeOffer(day: day, clock: &clock, into: &queue) }
    if tierChangeDay == day {
      changeTier(to: tier + 1, day: day, clock: &clock, into: &queue)
    }

    if SampleCatalog.timeOffsetsDays.contains(age) && lastStrongTriggerDay < landingDay {
      fire(trigger: .time, day: day)
    }
    if weekly { reviewWeek(day: day, clock: &clock, into: &queue) }
  }

  /// Emits one usage record sized from the account's utilization of its tier.
  mutating func recordUsage(
    metric: Int, daily: Bool, clock: inout Int64, into queue: inout ArrivalQueue
  ) {
    let limit = SampleCatalog.limits[tier][metric]
    let level = limit * utilization[metric]
    let quantity: Quantity
    switch metric {
    case 1:
      quantity = Quantity(units: max(1, Int64(level * random.double(in: 0.95..<1.05))))
    case 3:
      let tenths = max(1, Int64(level * 10 * random.double(in: 0.95..<1.05)))
      quantity = Quantity(millionths: tenths * 100_000)
    default:
      let share = daily ? 1 / 30.44 : 7 / 30.44
      quantity = Quantity(units: Int64(level * share * random.double(in: 0.85..<1.15)))
    }

    var late: Int64 = 0
    if random.chance(0.02) {
      late = Int64(random.int(in: 2 * 86_400...35 * 86_400)) * 1_000_000
    }
    let usage = SampleFact.usage(metric: Int8(metric), quantity: quantity)
    emit(usage, clock: &clock, late: late, into: &queue)
  }

  /// Emits the milestones due today and fires the milestone trigger when the
  /// current tier's transition has all it requires.
  mutating func reachMilestones(day: Int, clock: inout Int64, into queue: inout ArrivalQueue) {
    // Milestones whose day passed while the account was churned are never reached.
    guard day >= nextMilestoneDay else { return }
    nextMilestoneDay = Int.max
    for milestone in 0..<SampleCatalog.milestones.count {
      let milestoneDay = milestoneDays[milestone]
      if milestoneDay == day {
        milestoneReached.insert(milestone)
        emit(.milestone(Int8(milestone)), clock: &clock, into: &queue)
      } else if milestoneDay > day {
        nextMilestoneDay = min(nextMilestoneDay, milestoneDay)
      }
    }
    let required = SampleCatalog.transitionMilestones[tier]
    if !required.isEmpty && required.allSatisfy({ milestoneReached.contains($0) }) {
      fire(trigger: .milestone, day: day + SampleCatalog.transitionWaitDays[tier])
    }
  }

  /// Emits the onboarding check-in; its two flags match the account's state.
  mutating func completeCheckin(clock: inout Int64, into queue: inout ArrivalQueue) {
    let checkin = SampleFact.checkin(
      valueDelivered: milestoneReached.contains(0),
      approachingCapacity: busiestUtilization >= 0.7)
    emit(checkin, clock: &clock, into: &queue)
  }
}
