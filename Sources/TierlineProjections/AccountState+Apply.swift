import TierlineEvents
import TierlinePlaybook

extension AccountState {
  /// Applies one event, given by its content and its occurred time in µs.
  ///
  /// Events must come in (occurred_at, position) order, already filtered by the caller to
  /// the view's valid and transaction time. `usage.recorded` takes a path with no
  /// Foundation calls and no allocations unless its instant falls outside the cached local
  /// day, which happens at a new local day or a zone offset change.
  public mutating func apply(_ payload: Payload, occurredAt at: Int64, position: UInt64) {
    if case .usageRecorded(let usage) = payload {
      return applyUsage(
        metric: usage.metric, millionths: usage.quantity.millionths, occurredAt: at,
        position: position)
    }
    if offerChecksPending, at > lastOccurredAt ?? .min { settleOfferChecks() }
    lastOccurredAt = at
    lastPosition = position

    switch payload {
    case .accountLanded(let landed):
      land(landed, at: at)
    case .tierChanged(let change):
      changeTier(change, at: at)
    case .accountChurned:
      guard status == .active else { return countIgnored() }
      status = .churned
    case .milestoneReached(let milestone):
      guard status == .active else { return countIgnored() }
      reachMilestone(milestone.milestone, at: at)
    case .checkinCompleted(let checkin):
      guard status == .active else { return countIgnored() }
      guard checkin.kind == playbook.checkin.kind else {
        unscheduledCheckinsIgnored += 1
        return countIgnored()
      }
      if checkinCompletedAt == nil { checkinCompletedAt = at }
    case .orgChanged(let change):
      guard status == .active else { return countIgnored() }
      recordOrganizationChange(change, at: at)
    case .expansionOffered(let offer):
      guard status == .active else { return countIgnored() }
      // Whether the named trigger had fired is decided once every event of this instant
      // is applied, so the input order of events with one time does not matter. The value
      // from the events before the offer is kept for a tier change of the same instant,
      // which resets the triggers of the offer's tier.
      offers.append(
        OfferRecord(
          at: at, to: offer.to, by: offer.by, trigger: offer.trigger, epoch: tierEpoch,
          triggerFired: offer.trigger.flatMap { hasFired(triggerType: $0, by: at) },
          triggerCheckPending: offer.trigger != nil))
      if offer.trigger != nil { offerChecksPending = true }
    case .usageRecorded:
      break
    }
  }

  /// Decides `triggerFired` of the offers made at the instant of the events applied last,
  /// once an event of a later instant arrives.
  private mutating func settleOfferChecks() {
    // The checks run in a non-mutating method first. Run inside this loop, which
    // changes the offers, each one ran on a copy of the whole state.
    for (index, fired) in settledOfferChecks() {
      offers[index].triggerFired = fired
      offers[index].triggerCheckPending = false
    }
    offerChecksPending = false
  }

  /// Returns the index of each offer whose trigger check is pending, with its result.
  private func settledOfferChecks() -> [(index: Int, fired: Bool?)] {
    offers.indices.filter { offers[$0].triggerCheckPending }.map { index in
      (index, settledTrigger(of: offers[index]))
    }
  }

  private mutating func countIgnored() {
    if status == .notLanded {
      eventsBeforeLanding += 1
    } else {
      eventsIgnored += 1
    }
  }

  /// Starts a landing: the first one, or a return after churn. A second landing while
  /// active is ignored.
  private mutating func land(_ landed: AccountLanded, at: Int64) {
    switch status {
    case .active:
      secondLandingsIgnored += 1
      return countIgnored()
    case .churned:
      reactivations.append(at)
    case .notLanded:
      break
    }
    status = .active
    zoneIdentifier = landed.timeZone
    cache = CalendarCache()
    landedAt = at
    landedDay = localDay(at)
    firstValueAt = nil
    firstValueDay = nil
    checkinCompletedAt = nil
    milestones = MilestoneTimes()
    setTier(landed.tier, acv: landed.acv, at: at)
  }

  /// Moves to another tier; records an expansion when the new tier is higher on the path.
  /// A tier change after churn is a return at that tier, not an expansion.
  private mutating func changeTier(_ change: TierChanged, at: Int64) {
    switch status {
    case .notLanded:
      return countIgnored()
    case .churned:
      reactivations.append(at)
      status = .active
    case .active:
      if let oldIndex = playbook.tierIndex(tier), let newIndex = playbook.tierIndex(change.to),
        newIndex > oldIndex
      {
        expansions.append(expansion(to: change.to, acv: change.acv, at: at))
      }
    }
    setTier(change.to, acv: change.acv, at: at)
  }

  /// Resets everything that counts since the last tier change.
  private mutating func setTier(_ id: String, acv: Money, at: Int64) {
    tier = id
    acvMinorUnits = acv.minorUnits
    currencyCode = acv.currency.code
    currencyDigits = acv.currency.minorUnitDigits
    tierSince = at
    tierEpoch += 1
    usageFiredAt = nil
    organization = OrganizationTracker()
    usageMonth = UsageMonth(index: 0)
    trackerOfMetric = TrackerOfMetric()
    usage = (playbook.tier(id)?.limits ?? []).map { limit in
      UsageTracker(
        metric: limit.metric, aggregation: limit.aggregation,
        required: thresholdQuantity(limit.limit.millionths))
    }
  }

  /// Computes the limit times the usage threshold, in millionths, rounded up so that
  /// reaching it always means reaching the exact threshold.
  private func thresholdQuantity(_ limit: Int64) -> Int64 {
    let threshold = playbook.triggers.usageThreshold.millionths
    let product = limit.multipliedFullWidth(by: threshold)
    let (quotient, remainder) = Int64(Ratio.scale).dividingFullWidth(product)
    return remainder > 0 ? quotient + 1 : quotient
  }

  /// Applies one `usage.recorded` event given by its fields, as `apply(_:position:)`
  /// would, without building an `Event`.
  ///
  /// A full replay reads usage records with `EventCodec.usageFields(in:)` and calls this.
  /// - Parameters:
  ///   - metric: The metric name.
  ///   - millionths: The quantity in millionths of a unit.
  ///   - occurredAt: When the usage happened, in µs since the epoch.
  ///   - position: The event's log position.
  public mutating func applyUsage(
    metric: String, millionths: Int64, occurredAt at: Int64, position: UInt64
  ) {
    if offerChecksPending, at > lastOccurredAt ?? .min { settleOfferChecks() }
    lastOccurredAt = at
    lastPosition = position
    guard status == .active else { return countIgnored() }
    let index = firstTracker(named: metric)
    guard index < usage.count else { return }
    recordUsage(tracker: index, millionths: millionths, at: at)
  }

  /// Applies one `usage.recorded` event whose metric is `names[metric]`, as
  /// `applyUsage(metric:millionths:occurredAt:position:)` would.
  ///
  /// The state remembers the tracker of each metric number until the tier changes, so
  /// every call on one state must pass the same `names`. A full replay calls this: it
  /// looks each name up once per tier instead of comparing names for every event.
  public mutating func applyUsage(
    metric: Int, of names: [String], millionths: Int64, occurredAt at: Int64, position: UInt64
  ) {
    if offerChecksPending, at > lastOccurredAt ?? .min { settleOfferChecks() }
    lastOccurredAt = at
    lastPosition = position
    guard status == .active else { return countIgnored() }
    let index: Int
    if let remembered = trackerOfMetric.index(of: metric) {
      // Debug builds check that the caller passed the same names as before.
      assert(remembered == firstTracker(named: names[metric]), "metric \(metric) changed its name")
      index = remembered
    } else {
      index = firstTracker(named: names[metric])
      trackerOfMetric.remember(index, of: metric)
    }
    guard index < usage.count else { return }
    recordUsage(tracker: index, millionths: millionths, at: at)
  }

  /// Returns the index of the first usage tracker of the metric `name`, or the number of
  /// trackers when the tier does not track it.
  private func firstTracker(named name: String) -> Int {
    var index = 0
    while index < usage.count, usage[index].metric != name { index += 1 }
    return index
  }

  /// Adds a quantity to the tracker at `index` and notes when it crosses the threshold.
  private mutating func recordUsage(tracker index: Int, millionths quantity: Int64, at: Int64) {
    let month = localMonth(at)
    if month != usageMonth {
      for other in self.usage.indices { self.usage[other].value = 0 }
      usageMonth = month
    }

    // The fields are read and written one by one, because copying the whole tracker
    // right after storing its value made that load wait for the store.
    let previous = self.usage[index].value
    let value: Int64
    switch self.usage[index].aggregation {
    case .sum:
      let (sum, overflow) = previous.addingReportingOverflow(quantity)
      value = overflow ? Int64.max : sum
    case .max:
      value = max(previous, quantity)
    }
    self.usage[index].value = value

    if value >= self.usage[index].required, self.usage[index].crossedAt == nil {
      self.usage[index].crossedAt = at
      self.usage[index].crossedMonth = month
      self.usage[index].crossedValue = value
      if usageFiredAt == nil { usageFiredAt = at }
    }
  }

  private mutating func reachMilestone(_ name: String, at: Int64) {
    // Only the milestones the playbook names count, which keeps the list short whatever
    // names the events carry.
    let isFirstValue = name == playbook.firstValueMilestone
    guard isFirstValue || playbook.transitions.contains(where: { $0.milestones.contains(name) })
    else { return }
    guard milestones.recordFirst(name, at: at) else { return }
    if isFirstValue {
      firstValueAt = at
      firstValueDay = localDay(at)
    }
  }

  private mutating func recordOrganizationChange(_ change: OrgChanged, at: Int64) {
    let settings = playbook.triggers
    if let headcount = change.headcount {
      if let baseline = organization.baselineHeadcount {
        organization.latestHeadcount = headcount
        let scaled = headcount.multipliedFullWidth(by: Ratio.scale)
        let required = baseline.multipliedFullWidth(
          by: Ratio.scale + settings.headcountGrowth.millionths)
        // Growth needs more people than the baseline, also where the factor leaves the
        // target at the baseline: a baseline of 0, or a growth setting of 0.
        let grew =
          headcount > baseline
          && (scaled.high > required.high
            || (scaled.high == required.high && scaled.low >= required.low))
        if grew, organization.headcountFiredAt == nil {
          organization.headcountFiredAt = at
          organization.headcountAtFiring = headcount
        }
      } else {
        organization.baselineHeadcount = headcount
        organization.latestHeadcount = headcount
      }
    }
    if change.departmentAdded != nil {
      organization.departmentsAdded += 1
      if settings.departmentAdded, organization.departmentFiredAt == nil {
        organization.departmentFiredAt = at
      }
    }
    if change.useCaseAdded != nil {
      organization.useCasesAdded += 1
      if settings.useCaseAdded, organization.useCaseFiredAt == nil {
        organization.useCaseFiredAt = at
      }
    }
  }
}
