import TierlineEvents
import TierlinePlaybook

extension AccountState {
  /// Evaluates the folded state at valid time `asOf`.
  ///
  /// Time-dependent conclusions (time triggers, waits, the check-in status, open offers)
  /// are computed here, so one state can be projected at several instants. `knownAt` and
  /// `rulesVersion` are reported as given.
  public func projection(asOf: Timestamp, knownAt: Timestamp, rulesVersion: String)
    -> AccountProjection
  {
    projection(at: ProjectionPoint(asOf: asOf, knownAt: knownAt), rulesVersion: rulesVersion)
  }

  /// Evaluates the folded state at `point`, as `projection(asOf:knownAt:rulesVersion:)`
  /// does, with the point's texts formatted beforehand. A replay of many accounts to one
  /// point uses this.
  public func projection(at point: ProjectionPoint, rulesVersion: String) -> AccountProjection {
    let now = point.asOf.microseconds
    var projection = AccountProjection(
      account: account, asOf: point.asOfText, knownAt: point.knownAtText,
      rulesVersion: rulesVersion, status: status.rawValue, tier: nil, acv: nil, currency: nil,
      landedInstant: nil, firstValueInstant: nil, ttfvDays: nil, triggers: [], ready: false,
      readiness: [], nextTier: nil, owner: nil, price: nil, valueProposition: nil,
      checkin: nil, expansions: expansions, offers: [],
      reactivationInstants: reactivations.map { Timestamp(microseconds: $0) },
      eventsBeforeLanding: eventsBeforeLanding, eventsIgnored: eventsIgnored)
    projection.secondLandingsIgnored = secondLandingsIgnored
    projection.unscheduledCheckinsIgnored = unscheduledCheckinsIgnored
    projection.offers = offers.map { offer in
      OfferReport(
        instant: Timestamp(microseconds: offer.at), to: offer.to, by: offer.by,
        trigger: offer.trigger,
        triggerFired: offer.triggerCheckPending ? settledTrigger(of: offer) : offer.triggerFired,
        open: isOpen(offer, at: now))
    }

    guard status != .notLanded else {
      projection.readiness = [statusCondition()]
      return projection
    }
    projection.landedInstant = Timestamp(microseconds: landedAt)
    projection.timeZone = calendar.identifier
    projection.firstValueInstant = firstValueAt.map { Timestamp(microseconds: $0) }
    projection.ttfvDays = firstValueDay.map { $0 - landedDay }
    projection.checkin = checkinReport(at: now)

    guard status == .active else {
      projection.readiness = [statusCondition()]
      return projection
    }
    projection.tier = tier
    projection.acv = Money.format(minorUnits: acvMinorUnits, digits: currencyDigits)
    projection.currency = currencyCode

    let evaluation = evaluateTriggers(at: now, reportingWith: point)
    projection.triggers = evaluation.reports
    let transition = playbook.transition(from: tier)
    if let transition {
      projection.nextTier = transition.to
      projection.owner = transition.owner.rawValue
      projection.price = transition.price.decimalString
      projection.valueProposition = transition.valueProposition
    }
    projection.readiness = readiness(evaluation, transition: transition, at: point)
    projection.ready = projection.readiness.allSatisfy(\.met)
    return projection
  }

  private func statusCondition() -> Condition {
    Condition(name: "active", actual: status.rawValue, required: "active", met: status == .active)
  }

  /// Builds the readiness conditions: active, a trigger fired, its wait elapsed, a next
  /// tier exists, and no offer for the next tier is open.
  private func readiness(
    _ evaluation: TriggerEvaluation, transition: Transition?, at point: ProjectionPoint
  ) -> [Condition] {
    let now = point.asOf.microseconds
    var conditions: [Condition] = []
    conditions.reserveCapacity(5)
    conditions.append(statusCondition())

    // The fired types, in report order, and the earliest end of their waits.
    var firedTypes = ""
    var waitEnd: Int64?
    for (type, at) in [
      ("usage", evaluation.usageAt), ("milestone", evaluation.milestoneWaitEndsAt),
      ("time", evaluation.timeAt), ("organizational", evaluation.organizationalAt),
    ] {
      guard let at else { continue }
      firedTypes += firedTypes.isEmpty ? type : "," + type
      waitEnd = min(waitEnd ?? at, at)
    }
    conditions.append(
      Condition(
        name: "trigger fired", actual: firedTypes.isEmpty ? "none" : firedTypes,
        required: "at least one", met: waitEnd != nil))

    conditions.append(
      Condition(
        name: "wait elapsed",
        actual: waitEnd.map { .instant($0, before: "ends ", after: "") } ?? "no trigger",
        required: .text(point.waitRequirement), met: waitEnd.map { $0 <= now } ?? false))

    conditions.append(
      Condition(
        name: "not top tier", actual: tier,
        required: "a tier with a transition to a higher tier", met: transition != nil))

    let open = transition.flatMap { transition in
      offers.last { $0.to == transition.to && isOpen($0, at: now) }
    }
    conditions.append(
      Condition(
        name: "no open offer",
        actual: open.map { .instant($0.at, before: "offer for \($0.to) made ", after: "") }
          ?? "none",
        required: "none", met: open == nil))
    return conditions
  }

  /// Returns whether an offer is open at `now`. It is open when no landing or tier change
  /// came after it and `now` is before the start of the local day `offer_valid_days` later.
  func isOpen(_ offer: OfferRecord, at now: Int64) -> Bool {
    guard offer.epoch == tierEpoch else { return false }
    let expiresAt = startOfDay(localDate(offer.at).daysSinceEpoch + playbook.offerValidDays)
    return now < expiresAt
  }

  private func checkinReport(at now: Int64) -> CheckinReport {
    let dueDay = landedDay + playbook.checkin.daysAfterLanding
    let dueOn = CivilDate(daysSinceEpoch: dueDay).description
    if let completed = checkinCompletedAt {
      return CheckinReport(
        dueOn: dueOn, status: "done", completedInstant: Timestamp(microseconds: completed))
    }
    let today = localDate(now).daysSinceEpoch
    let status: String
    if today < dueDay {
      status = "upcoming"
    } else if today <= dueDay + playbook.checkin.dueWindowDays {
      status = "due"
    } else {
      status = "overdue"
    }
    return CheckinReport(dueOn: dueOn, status: status, completedInstant: nil)
  }
}
