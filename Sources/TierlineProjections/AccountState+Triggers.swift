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
  /// Only the instants are filled in: readiness checks and attribution need no
  /// condition text, which allocates strings for every condition.
  func evaluateTriggers(at now: Int64) -> TriggerEvaluation {
    evaluateTriggers(at: now, texts: nil)
  }

  /// Returns whether the trigger that `offer` names had fired, and counted, by its time,
  /// once every event of that instant is applied, or nil when it names none.
  ///
  /// A landing or tier change of that instant after the offer resets the triggers of the
  /// offer's tier, so then the value taken when the offer was applied is returned.
  func settledTrigger(of offer: OfferRecord) -> Bool? {
    guard offer.epoch == tierEpoch else { return offer.triggerFired }
    return offer.trigger.flatMap { hasFired(triggerType: $0, by: offer.at) }
  }

  /// Returns whether a trigger of `triggerType` had fired, and counted, on the current
  /// tier by `instant` (µs), as `triggers` reports it there. Append accepts only the
  /// four type names, so the nil for any other name is never returned for a stored event.
  func hasFired(triggerType: String, by instant: Int64) -> Bool? {
    let evaluation = evaluateTriggers(at: instant)
    let firedAt: Int64?
    switch triggerType {
    case "usage": firedAt = evaluation.usageAt
    case "milestone": firedAt = evaluation.milestoneAt
    case "time": firedAt = evaluation.timeAt
    case "organizational": firedAt = evaluation.organizationalAt
    default: return nil
    }
    return firedAt.map { $0 <= instant } ?? false
  }

  /// Evaluates the triggers at `point`'s valid time, as `evaluateTriggers(at:)` does,
  /// and reports every condition with its text.
  func evaluateTriggers(at now: Int64, reportingWith point: ProjectionPoint)
    -> TriggerEvaluation
  {
    evaluateTriggers(at: now, texts: point)
  }

  /// Evaluates the triggers, with condition reports when `texts` is given.
  private func evaluateTriggers(at now: Int64, texts: ProjectionPoint?) -> TriggerEvaluation {
    let reports = texts != nil
    var evaluation = TriggerEvaluation()
    let usage = usageReport(at: now, into: &evaluation, reports: reports)
    let milestone = milestoneReport(into: &evaluation, reports: reports)
    let time = timeReport(at: now, into: &evaluation, texts: texts)
    let organizational = organizationalReport(into: &evaluation, reports: reports)
    // Arrays here are sized up front: growing them one append at a time would allocate
    // several times for each projection.
    if reports {
      evaluation.reports.reserveCapacity(4)
      if let usage { evaluation.reports.append(usage) }
      if let milestone { evaluation.reports.append(milestone) }
      if let time { evaluation.reports.append(time) }
      if let organizational { evaluation.reports.append(organizational) }
    }
    return evaluation
  }

  private func usageReport(
    at now: Int64, into evaluation: inout TriggerEvaluation, reports: Bool
  ) -> TriggerReport? {
    evaluation.usageAt = usageFiredAt
    guard reports else { return nil }
    let currentMonth = UsageMonth(containing: localDate(now))
    var conditions: [Condition] = []
    conditions.reserveCapacity(usage.count)
    for tracker in usage {
      if let crossedMonth = tracker.crossedMonth {
        conditions.append(
          Condition(
            name: .usage(metric: tracker.metric, month: crossedMonth),
            actual: .quantity(tracker.crossedValue), required: .quantity(tracker.required),
            met: true))
      } else {
        let value = usageMonth == currentMonth ? tracker.value : 0
        conditions.append(
          Condition(
            name: .usage(metric: tracker.metric, month: currentMonth), actual: .quantity(value),
            required: .quantity(tracker.required), met: false))
      }
    }
    return TriggerReport(
      type: "usage", fired: usageFiredAt != nil,
      firedInstant: usageFiredAt.map { Timestamp(microseconds: $0) },
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
      return TriggerReport(
        type: "milestone", fired: false, firedInstant: nil, conditions: [condition])
    }
    var conditions: [Condition] = []
    if reports { conditions.reserveCapacity(transition.milestones.count) }
    var latest: Int64? = tierSince
    for name in transition.milestones {
      let reachedAt = milestones[name]
      if reports {
        conditions.append(
          Condition(
            name: .text(name),
            actual: reachedAt.map { .instant($0, before: "reached ", after: "") } ?? "not reached",
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
      type: "milestone", fired: latest != nil,
      firedInstant: latest.map { Timestamp(microseconds: $0) },
      conditions: conditions)
  }

  /// Evaluates the time trigger, and reports it when `texts` is given.
  private func timeReport(
    at now: Int64, into evaluation: inout TriggerEvaluation, texts: ProjectionPoint?
  ) -> TriggerReport? {
    let reports = texts != nil
    var conditions: [Condition] = []
    // One condition per offset, then one for each other trigger that takes precedence.
    if reports { conditions.reserveCapacity(playbook.triggers.timeOffsetsDays.count + 2) }
    var earliest: Int64?
    var latest: Int64?
    // Offsets count from the landing, but only those since the current tier began fire,
    // so the window names that start, which is not always the landing.
    let window = ConditionText.instant(
      tierSince, before: "from the current tier's start, ", after: texts?.windowEnd ?? "")
    for offset in playbook.triggers.timeOffsetsDays {
      let instant = startOfDay(landedDay + offset)
      let met = instant >= tierSince && instant <= now
      if met {
        earliest = earliest ?? instant
        latest = instant
      }
      if let texts {
        conditions.append(
          Condition(
            name: .text(texts.offsetName(offset)), actual: .instant(instant, before: "", after: ""),
            required: window, met: met))
      }
    }
    let fired = earliest != nil && evaluation.usageAt == nil && evaluation.milestoneAt == nil
    if fired {
      evaluation.timeAt = earliest
      evaluation.latestTimeOffsetAt = latest
    }
    guard reports else { return nil }
    conditions.append(fallbackCondition("no usage trigger fired", firedAt: evaluation.usageAt))
    conditions.append(
      fallbackCondition("no milestone trigger fired", firedAt: evaluation.milestoneAt))
    return TriggerReport(
      type: "time", fired: fired,
      firedInstant: fired ? earliest.map { Timestamp(microseconds: $0) } : nil,
      conditions: conditions)
  }

  private func fallbackCondition(_ name: String, firedAt: Int64?) -> Condition {
    Condition(
      name: .text(name),
      actual: firedAt.map { .instant($0, before: "fired ", after: "") } ?? "none",
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
    conditions.reserveCapacity(3)

    let headcountActual: ConditionText =
      (organization.headcountAtFiring ?? organization.latestHeadcount)
      .map { .count(Int($0)) } ?? "not reported"
    var headcountRequired: ConditionText = "a first headcount since the last tier change"
    if let baseline = organization.baselineHeadcount {
      // The target in millionths, in 128 bits: a baseline near the largest headcount
      // times the growth factor does not fit in 64.
      let target = Int128(baseline) * Int128(Ratio.scale + settings.headcountGrowth.millionths)
      // Where the target does not exceed the baseline, any count above the baseline grows.
      if target > Int128(baseline) * Int128(Ratio.scale) {
        headcountRequired = .text(millionthsText(target))
      } else {
        headcountRequired = .text("above \(baseline)")
      }
    }
    conditions.append(
      Condition(
        name: "headcount", actual: headcountActual, required: headcountRequired,
        met: organization.headcountFiredAt != nil))
    conditions.append(
      Condition(
        name: "departments added", actual: .count(organization.departmentsAdded),
        required: settings.departmentAdded ? "1" : "disabled",
        met: organization.departmentFiredAt != nil))
    conditions.append(
      Condition(
        name: "use cases added", actual: .count(organization.useCasesAdded),
        required: settings.useCaseAdded ? "1" : "disabled",
        met: organization.useCaseFiredAt != nil))
    return TriggerReport(
      type: "organizational", fired: firedAt != nil,
      firedInstant: firedAt.map { Timestamp(microseconds: $0) },
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

/// Formats a non-negative amount in millionths as `quantityText` does, also beyond the
/// 64-bit range.
func millionthsText(_ millionths: Int128) -> String {
  if let narrow = Int64(exactly: millionths) { return quantityText(narrow) }
  let whole = millionths / Int128(Ratio.scale)
  var fraction = String(millionths % Int128(Ratio.scale))
  guard fraction != "0" else { return String(whole) }
  fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
  while fraction.hasSuffix("0") { fraction.removeLast() }
  return "\(whole).\(fraction)"
}
