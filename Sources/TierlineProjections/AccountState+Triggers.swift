import TierlineEvents
import TierlinePlaybook

/// The four triggers of the transition out of the current tier, evaluated at one instant.
struct TriggerEvaluation {
  var reports: [TriggerReport] = []
  /// When each trigger type fired and counts, in µs; nil when it does not count.
  var usageAt: Int64?
  var milestoneAt: Int64?
  var timeAt: Int64?
  var organizationalAt: Int64?
  /// When the milestone trigger's wait ends, in µs.
  var milestoneWaitEndsAt: Int64?
  /// The latest time offset reached since the last tier change, when the time trigger counts.
  var latestTimeOffsetAt: Int64?
  /// Every organizational firing since the last tier change.
  var organizationalFirings: [Int64] = []

  /// Trigger types that count, in report order, with the instant each becomes actionable.
  var actionable: [(type: String, at: Int64)] {
    var result: [(type: String, at: Int64)] = []
    if let at = usageAt { result.append(("usage", at)) }
    if let at = milestoneWaitEndsAt { result.append(("milestone", at)) }
    if let at = timeAt { result.append(("time", at)) }
    if let at = organizationalAt { result.append(("organizational", at)) }
    return result
  }
}

extension AccountState {
  /// Evaluates the triggers of the current tier at `now` (µs), counting only what
  /// happened since the last landing or tier change.
  ///
  /// Without `reports`, only the instants are filled in: readiness checks and
  /// attribution need no condition text, which allocates strings for every condition.
  func evaluateTriggers(at now: Int64, reports: Bool = true) -> TriggerEvaluation {
    var evaluation = TriggerEvaluation()
    let usage = usageReport(at: now, into: &evaluation, reports: reports)
    let milestone = milestoneReport(into: &evaluation, reports: reports)
    let time = timeReport(at: now, into: &evaluation, reports: reports)
    let organizational = organizationalReport(into: &evaluation, reports: reports)
    evaluation.reports = [usage, milestone, time, organizational].compactMap { $0 }
    return evaluation
  }

  private func usageReport(
    at now: Int64, into evaluation: inout TriggerEvaluation, reports: Bool
  ) -> TriggerReport? {
    evaluation.usageAt = usageFiredAt
    guard reports else { return nil }
    let currentMonth = UsageMonth(containing: localDate(now))
    var conditions: [Condition] = []
    for tracker in usage {
      if let crossedMonth = tracker.crossedMonth {
        conditions.append(
          Condition(
            name: "\(tracker.metric) in \(crossedMonth)",
            actual: quantityText(tracker.crossedValue), required: quantityText(tracker.required),
            met: true))
      } else {
        let value = usageMonth == currentMonth ? tracker.value : 0
        conditions.append(
          Condition(
            name: "\(tracker.metric) in \(currentMonth)", actual: quantityText(value),
            required: quantityText(tracker.required), met: false))
      }
    }
    return TriggerReport(
      type: "usage", fired: usageFiredAt != nil, firedAt: usageFiredAt.map(rfc3339),
      conditions: conditions)
  }

  private func milestoneReport(into evaluation: inout TriggerEvaluation, reports: Bool)
    -> TriggerReport?
  {
    guard let transition = playbook.transition(from: tier) else {
      guard reports else { return nil }
      let condition = Condition(
        name: "transition", actual: "none out of \(tier)",
        required: "a transition out of the current tier", met: false)
      return TriggerReport(type: "milestone", fired: false, firedAt: nil, conditions: [condition])
    }
    var conditions: [Condition] = []
    var latest: Int64? = tierSince
    for name in transition.milestones {
      let reachedAt = milestones[name]
      if reports {
        conditions.append(
          Condition(
            name: name, actual: reachedAt.map { "reached " + rfc3339($0) } ?? "not reached",
            required: "reached", met: reachedAt != nil))
      }
      if let reached = reachedAt, let current = latest {
        latest = max(current, reached)
      } else {
        latest = nil
      }
    }
    if let firedAt = latest {
      evaluation.milestoneAt = firedAt
      let waitEnd = startOfDay(localDate(firedAt).daysSinceEpoch + transition.waitDays)
      evaluation.milestoneWaitEndsAt = max(firedAt, waitEnd)
    }
    guard reports else { return nil }
    return TriggerReport(
      type: "milestone", fired: latest != nil, firedAt: latest.map(rfc3339),
      conditions: conditions)
  }

  private func timeReport(
    at now: Int64, into evaluation: inout TriggerEvaluation, reports: Bool
  ) -> TriggerReport? {
    var conditions: [Condition] = []
    var earliest: Int64?
    var latest: Int64?
    // Offsets count from the landing, but only those since the current tier began fire,
    // so the window names that start, which is not always the landing.
    let window =
      reports ? "from the current tier's start, " + rfc3339(tierSince) + ", to " + rfc3339(now) : ""
    for offset in playbook.triggers.timeOffsetsDays {
      let instant = startOfDay(landedDay + offset)
      let met = instant >= tierSince && instant <= now
      if met {
        earliest = earliest ?? instant
        latest = instant
      }
      if reports {
        conditions.append(
          Condition(
            name: "day \(offset) after landing", actual: rfc3339(instant), required: window,
            met: met))
      }
    }
    let fired = earliest != nil && evaluation.usageAt == nil && evaluation.milestoneAt == nil
    if fired {
      evaluation.timeAt = earliest
      evaluation.latestTimeOffsetAt = latest
    }
    guard reports else { return nil }
    conditions.append(fallbackCondition("usage", firedAt: evaluation.usageAt))
    conditions.append(fallbackCondition("milestone", firedAt: evaluation.milestoneAt))
    return TriggerReport(
      type: "time", fired: fired, firedAt: fired ? earliest.map(rfc3339) : nil,
      conditions: conditions)
  }

  private func fallbackCondition(_ type: String, firedAt: Int64?) -> Condition {
    Condition(
      name: "no \(type) trigger fired", actual: firedAt.map { "fired " + rfc3339($0) } ?? "none",
      required: "none", met: firedAt == nil)
  }

  private func organizationalReport(
    into evaluation: inout TriggerEvaluation, reports: Bool
  ) -> TriggerReport? {
    let firedAt = organization.firedAt
    evaluation.organizationalAt = firedAt
    evaluation.organizationalFirings = [
      organization.headcountFiredAt, organization.departmentFiredAt,
      organization.useCaseFiredAt,
    ].compactMap { $0 }
    guard reports else { return nil }
    let settings = playbook.triggers
    var conditions: [Condition] = []

    let headcountActual =
      (organization.headcountAtFiring ?? organization.latestHeadcount)
      .map { String($0) } ?? "not reported"
    var headcountRequired = "a first headcount since the last tier change"
    if let baseline = organization.baselineHeadcount {
      let (scaled, overflow) = baseline.multipliedReportingOverflow(
        by: Ratio.scale + settings.headcountGrowth.millionths)
      headcountRequired = overflow ? "above \(baseline)" : quantityText(scaled)
    }
    conditions.append(
      Condition(
        name: "headcount", actual: headcountActual, required: headcountRequired,
        met: organization.headcountFiredAt != nil))
    conditions.append(
      Condition(
        name: "departments added", actual: String(organization.departmentsAdded),
        required: settings.departmentAdded ? "1" : "disabled",
        met: organization.departmentFiredAt != nil))
    conditions.append(
      Condition(
        name: "use cases added", actual: String(organization.useCasesAdded),
        required: settings.useCaseAdded ? "1" : "disabled",
        met: organization.useCaseFiredAt != nil))
    return TriggerReport(
      type: "organizational", fired: firedAt != nil, firedAt: firedAt.map(rfc3339),
      conditions: conditions)
  }
}

/// Formats µs since the epoch as RFC 3339 UTC.
func rfc3339(_ microseconds: Int64) -> String {
  Timestamp(microseconds: microseconds).rfc3339
}

/// Formats millionths of a unit as the shortest exact decimal.
func quantityText(_ millionths: Int64) -> String {
  Quantity(millionths: millionths).description
}
