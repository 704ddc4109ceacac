import TierlineEvents

/// The content of a sample event in a compact form without strings.
///
/// Queued facts cost no reference counting. `payload(timeZone:)` turns one into the
/// event payload when the event is delivered.
enum SampleFact {
  case landed(tier: Int8, discountPercent: Int8)
  case usage(metric: Int8, quantity: Quantity)
  case milestone(Int8)
  case checkin(valueDelivered: Bool, approachingCapacity: Bool)
  case tierChanged(to: Int8, discountPercent: Int8, contraction: Bool)
  case headcount(Int64)
  case departmentAdded(Int8)
  case useCaseAdded(Int8)
  case offered(to: Int8, trigger: SampleTrigger?)
  case churned(reason: Int8)

  /// Builds the event payload; `timeZone` is the account's IANA zone for landings.
  func payload(timeZone: String) -> Payload {
    switch self {
    case .landed(let tier, let discount):
      let landed = AccountLanded(
        tier: SampleCatalog.tiers[Int(tier)],
        acv: SampleCatalog.acv(tier: Int(tier), discountPercent: Int(discount)),
        timeZone: timeZone, owner: "sales", segment: SampleCatalog.segments[Int(tier)])
      return .accountLanded(landed)
    case .usage(let metric, let quantity):
      return .usageRecorded(
        UsageRecorded(metric: SampleCatalog.metrics[Int(metric)], quantity: quantity))
    case .milestone(let milestone):
      let name = SampleCatalog.milestones[Int(milestone)]
      return .milestoneReached(MilestoneReached(milestone: name))
    case .checkin(let valueDelivered, let approachingCapacity):
      return .checkinCompleted(
        CheckinCompleted(
          kind: SampleCatalog.checkinKind, valueDelivered: valueDelivered,
          approachingCapacity: approachingCapacity))
    case .tierChanged(let tier, let discount, let contraction):
      return .tierChanged(
        TierChanged(
          to: SampleCatalog.tiers[Int(tier)],
          acv: SampleCatalog.acv(tier: Int(tier), discountPercent: Int(discount)),
          reason: contraction ? "contraction" : "expansion"))
    case .headcount(let headcount):
      return .orgChanged(OrgChanged(headcount: headcount))
    case .departmentAdded(let department):
      return .orgChanged(OrgChanged(departmentAdded: SampleCatalog.departments[Int(department)]))
    case .useCaseAdded(let useCase):
      return .orgChanged(OrgChanged(useCaseAdded: SampleCatalog.useCases[Int(useCase)]))
    case .offered(let tier, let trigger):
      // The owner of the transition into `tier` is listed under the tier below it.
      let offer = ExpansionOffered(
        to: SampleCatalog.tiers[Int(tier)], by: SampleCatalog.transitionOwners[Int(tier) - 1],
        trigger: trigger?.name)
      return .expansionOffered(offer)
    case .churned(let reason):
      return .accountChurned(AccountChurned(reason: SampleCatalog.churnReasons[Int(reason)]))
    }
  }
}

/// The four expansion trigger types, as the sample accounts record them on offers.
enum SampleTrigger: UInt8, CaseIterable {
  case usage
  case milestone
  case time
  case organizational

  /// The trigger type's name in the interchange format.
  var name: String {
    switch self {
    case .usage: return "usage"
    case .milestone: return "milestone"
    case .time: return "time"
    case .organizational: return "organizational"
    }
  }
}
