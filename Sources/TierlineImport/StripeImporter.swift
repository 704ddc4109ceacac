import TierlineEvents
import TierlinePlaybook
import TierlineProjections

/// Derives landings, tier changes and churn from Stripe event objects.
///
/// Events are applied in the order they happened, as `StripeEventOrder` reads it from
/// `created` and the file's order. A customer's ACV is the sum over its paid
/// subscriptions. Each event that changes it becomes one ledger event with the id
/// `stripe:` + the Stripe event id, so importing the same events again adds nothing.
public enum StripeImporter {
  /// The event types that can change a customer's contract value.
  static let subscriptionTypes: Set = [
    "customer.subscription.created", "customer.subscription.updated",
    "customer.subscription.deleted",
  ]

  /// Reads Stripe events (a JSON list, `{"data": [...]}` or NDJSON) and plans events.
  /// - Parameters:
  ///   - prices: Tier ids by Stripe price id. A customer with mapped prices gets the
  ///     highest mapped tier, and any other customer the tier chosen from its ACV.
  ///   - timeZone: The IANA time zone given to landed accounts.
  /// - Throws: `ImportSetupError` when a mapped tier is not in the playbook or the time
  ///   zone is unknown.
  public static func plan(
    _ bytes: [UInt8], playbook: Playbook, prices: [String: String] = [:],
    timeZone: String = "UTC", tiers: TierAssignment? = nil
  ) throws(ImportSetupError) -> ImportPlan {
    guard isIANATimeZone(timeZone), ZoneCalendar(identifier: timeZone) != nil else {
      throw ImportSetupError("\(jsonQuoted(timeZone)) is not a known IANA time zone")
    }
    try PriceMapping.checkTiers(prices, in: playbook)
    let input = JSONRecords.read(bytes)
    var plan = ImportPlan(unit: input.unit)
    plan.accountEventsChain = true
    for error in input.errors { plan.reject(error) }
    if input.hasMore {
      // The API pages from newest to oldest, so the missing pages hold older events.
      let last = input.records.last?.value.string(at: "id")
      plan.warnings.append(
        "the list has more pages (\"has_more\": true), so only the \(input.records.count) "
          + "events of this page are read and older events are missing. Fetch the next pages "
          + "(starting_after=\(last ?? "ID OF THE LAST EVENT")) and import all events in one "
          + "file, such as a JSON array, because each import derives changes only from the "
          + "events in its file")
    }

    var events: [(line: Int, created: Timestamp, value: JSONValue)] = []
    for (line, value) in input.records {
      guard value.string(at: "object") == "event", value.string(at: "id") != nil else {
        plan.reject(line: line, field: "object", reason: "is not a Stripe event with an id")
        continue
      }
      guard let seconds = value.integer(at: "created") else {
        plan.reject(line: line, field: "created", reason: "is missing or not unix seconds")
        continue
      }
      guard let created = ImportTime.timestamp(unixSeconds: seconds) else {
        plan.reject(line: line, field: "created", reason: createdRangeProblem(seconds))
        continue
      }
      events.append((line, created, value))
    }
    // Repeats are set aside in file order before the events are ordered, so that a retry
    // neither breaks a chain of updates nor turns the file's direction around.
    var firstSightings: [StripeEventOrder.Entry] = []
    for event in events {
      let id = event.value.string(at: "id") ?? ""
      // Only the members the import reads are compared: Stripe's delivery attempts of one
      // event differ in others, such as `pending_webhooks`.
      let read = ["type", "created", "data"].compactMap { key in
        event.value[key].map { (key: key, value: $0) }
      }
      if plan.isFirstSighting(of: id, field: "id", record: .object(read), line: event.line) {
        firstSightings.append(event)
      }
    }
    var state = StripeCustomers(playbook: playbook, timeZone: timeZone, tiers: tiers)
    for event in StripeEventOrder.sorted(firstSightings) {
      state.apply(event.value, line: event.line, created: event.created, prices: prices, to: &plan)
    }
    return plan
  }

  /// Explains why `created` lies outside the years an event time may have, suggesting
  /// milliseconds for a value after year 9999 that fits when divided by 1000.
  static func createdRangeProblem(_ seconds: Int64) -> String {
    let range = ImportTime.minimumSeconds...ImportTime.maximumSeconds
    var reason =
      "\(seconds) is out of range: created must be Unix seconds within the years 0001 to "
      + "9999 (\(range.lowerBound) to \(range.upperBound))"
    if seconds > range.upperBound, range.contains(seconds / 1000) {
      reason += "; a value in milliseconds is the likely cause, so divide it by 1000"
    }
    return reason
  }
}

/// The subscriptions of every customer seen so far, and the events they imply.
private struct StripeCustomers {
  let playbook: Playbook
  var builder: RevenueEventBuilder
  var subscriptions: [String: [String: StripeSubscription]] = [:]

  init(playbook: Playbook, timeZone: String, tiers: TierAssignment? = nil) {
    self.playbook = playbook
    builder = RevenueEventBuilder(
      tiers: tiers ?? TierAssignment(playbook: playbook), timeZone: timeZone)
  }

  mutating func apply(
    _ event: JSONValue, line: Int, created: Timestamp, prices: [String: String],
    to plan: inout ImportPlan
  ) {
    let type = event.string(at: "type") ?? ""
    guard StripeImporter.subscriptionTypes.contains(type) else {
      // invoice.paid and other types repeat what the subscription events state.
      plan.ignored += 1
      return
    }
    guard let object = event.value(at: "data.object") else {
      plan.reject(line: line, field: "data.object", reason: "is missing")
      return
    }
    let subscription: StripeSubscription
    do {
      subscription = try StripeSubscription(
        object, deleted: type.hasSuffix(".deleted"), prices: prices)
    } catch {
      plan.reject(line: line, field: error.field, reason: error.reason)
      return
    }
    guard subscription.acv.currency == playbook.currency else {
      plan.reject(
        line: line, field: "data.object.currency",
        reason: "is \(subscription.acv.currency) but the playbook's tiers are priced in "
          + "\(playbook.currency)")
      return
    }

    let customer = subscription.customer
    let unseen = subscriptions[customer]?[subscription.id] == nil
    if unseen, type.hasSuffix(".deleted") {
      // Its state before the deletion is not in this file, so the deletion changes
      // nothing here, which would leave a paying account active for good.
      plan.warnings.append(
        "\(plan.unit) \(line): \(type) ends subscription \(subscription.id) of "
          + "\(jsonQuoted(customer)), which no earlier event of this file shows, so the end "
          + "changes nothing; import an export that starts at or before the subscription's "
          + "creation, or that overlaps the previous import")
    }
    let previous: StripeSubscription?
    do {
      previous =
        unseen && type.hasSuffix(".updated")
        ? try previousState(object, event: event, prices: prices) : nil
    } catch {
      plan.reject(line: line, field: error.field, reason: error.reason)
      return
    }
    if let previous {
      // The input starts after this subscription was created: its previous state is
      // taken as already in the ledger.
      subscriptions[customer, default: [:]][subscription.id] = previous
      builder.seed(account: customer, acv: total(of: customer))
      if previous.acv.minorUnits > 0, let account = try? AccountID(customer) {
        plan.assume(account: account, line: line)
      }
    }
    subscriptions[customer, default: [:]][subscription.id] = subscription

    guard total(of: customer).minorUnits < Int64.max else {
      plan.reject(
        line: line, field: "data.object.items.data",
        reason: "gives \(jsonQuoted(customer)) an ACV beyond the largest amount the ledger stores")
      return
    }
    let change = RevenueChange(
      id: "stripe:" + (event.string(at: "id") ?? ""), account: customer,
      at: created, acv: total(of: customer), line: line,
      tier: highestMappedTier(of: customer))
    if let (draft, _) = builder.apply(change) {
      plan.add(draft, line: line)
    } else {
      plan.ignored += 1
    }
  }

  /// Rebuilds the subscription before an update: `data.object` with
  /// `data.previous_attributes` laid over it, or nil without `previous_attributes`.
  /// - Throws: `StripeFieldError` when the rebuilt subscription is invalid, such as one
  ///   whose `items` lists only the changed items, as API versions up to 2017-04-06 do.
  private func previousState(
    _ object: JSONValue, event: JSONValue, prices: [String: String]
  ) throws(StripeFieldError) -> StripeSubscription? {
    guard let changed = event.value(at: "data.previous_attributes")?.objectMembers,
      var members = object.objectMembers
    else { return nil }
    for (key, value) in changed {
      if let index = members.firstIndex(where: { $0.key == key }) {
        members[index].value = value
      } else {
        members.append((key, value))
      }
    }
    do {
      return try StripeSubscription(.object(members), deleted: false, prices: prices)
    } catch {
      throw StripeFieldError(
        field: error.field.replacingOccurrences(
          of: "data.object", with: "data.previous_attributes"),
        reason: error.reason
          + ". That is the subscription before the update: data.object with "
          + "data.previous_attributes laid over it, where Stripe API versions up to "
          + "2017-04-06 list only the changed items")
    }
  }

  private func total(of customer: String) -> Money {
    let all = subscriptions[customer]?.values.map(\.acv) ?? []
    let sum = all.map(\.minorUnits).saturatingSum()
    return Money(minorUnits: sum, currency: playbook.currency)
  }

  private func highestMappedTier(of customer: String) -> String? {
    let all = subscriptions[customer].map { Array($0.values) } ?? []
    let paid = all.filter { $0.acv.minorUnits > 0 }
    let tiers = paid.flatMap(\.mappedTiers)
    return tiers.max { (playbook.tierIndex($0) ?? 0) < (playbook.tierIndex($1) ?? 0) }
  }
}
