import Testing
import TierlineEvents

@testable import TierlineLedger

/// Collects a sample portfolio in arrival order.
private func collect(accounts: Int, seed: UInt64, months: Int = 24) -> [Event] {
  var events: [Event] = []
  PortfolioGenerator(accounts: accounts, seed: seed, months: months).generate { event in
    events.append(event)
  }
  return events
}

/// Groups events by account, each group in occurred order; ties keep arrival order.
private func historiesByAccount(_ events: [Event]) -> [AccountID: [Event]] {
  var histories: [AccountID: [(Int, Event)]] = [:]
  for (arrival, event) in events.enumerated() {
    histories[event.account, default: []].append((arrival, event))
  }
  return histories.mapValues { entries in
    entries.sorted { left, right in
      if left.1.occurredAt != right.1.occurredAt {
        return left.1.occurredAt < right.1.occurredAt
      }
      return left.0 < right.0
    }.map(\.1)
  }
}

private let tierOrder = ["starter", "growth", "scale"]
private let microsecondsPerDay: Int64 = 86_400_000_000

@Suite("Portfolio generator")
struct GeneratorTests {
  @Test("same seed gives equal events")
  func sameSeedRepeats() {
    let first = collect(accounts: 80, seed: 42)
    let second = collect(accounts: 80, seed: 42)
    #expect(!first.isEmpty)
    #expect(first == second)
  }

  @Test("different seeds give different events")
  func differentSeedsDiffer() {
    let first = collect(accounts: 80, seed: 1)
    let second = collect(accounts: 80, seed: 2)
    #expect(first != second)
  }

  @Test("every account lands first")
  func accountsLandFirst() throws {
    let histories = historiesByAccount(collect(accounts: 150, seed: 7))
    #expect(histories.count == 150)
    for (account, history) in histories {
      let first = try #require(history.first)
      #expect(first.type == .accountLanded, "first event of \(account) is \(first.type)")
    }
  }

  @Test("account ids are numbered")
  func accountIDsNumbered() {
    let accounts = Set(collect(accounts: 12, seed: 3).map(\.account.value))
    let expected: Set<String> = [
      "acct-000001", "acct-000002", "acct-000003", "acct-000004", "acct-000005", "acct-000006",
      "acct-000007", "acct-000008", "acct-000009", "acct-000010", "acct-000011", "acct-000012",
    ]
    #expect(accounts == expected)
  }

  @Test("event ids are unique")
  func eventIDsUnique() {
    let events = collect(accounts: 150, seed: 11)
    let ids = Set(events.map(\.id))
    #expect(ids.count == events.count)
  }

  @Test("tier changes move one step")
  func tierChangesOneStep() throws {
    let histories = historiesByAccount(collect(accounts: 300, seed: 5))
    var ups = 0
    var downs = 0
    for (account, history) in histories {
      var current: Int?
      for event in history {
        switch event.payload {
        case .accountLanded(let landed):
          current = tierOrder.firstIndex(of: landed.tier)
          #expect(current != nil, "\(account) lands on unknown tier \(landed.tier)")
        case .tierChanged(let change):
          let target = try #require(
            tierOrder.firstIndex(of: change.to), "\(account) moves to unknown tier \(change.to)")
          let from = try #require(current, "\(account) changes tier before landing")
          #expect(abs(target - from) == 1, "\(account) moves from \(from) to \(target)")
          if target > from { ups += 1 } else { downs += 1 }
          current = target
        default:
          break
        }
      }
    }
    #expect(ups > 0)
    #expect(downs > 0)
    #expect(downs < ups)
  }

  @Test("churned accounts stay silent until they land again")
  func nothingAfterChurn() {
    let histories = historiesByAccount(collect(accounts: 400, seed: 9))
    var churned = 0
    for (account, history) in histories {
      var isChurned = false
      for event in history {
        if isChurned {
          #expect(event.type == .accountLanded, "\(account) has \(event.type) after churn")
        }
        if event.type == .accountChurned {
          churned += 1
          isChurned = true
        } else if event.type == .accountLanded {
          isChurned = false
        }
      }
    }
    #expect(churned > 0)
  }

  @Test("offers name the owner of their transition")
  func offersNameOwner() {
    var offers = 0
    for event in collect(accounts: 200, seed: 13) {
      guard case .expansionOffered(let offer) = event.payload else { continue }
      offers += 1
      #expect(offer.by == (offer.to == "growth" ? "cs" : "sales"), "offer to \(offer.to)")
      #expect(offer.to != "starter")
      // An offer made when the playbook shows no trigger fired cites none.
      let triggers: Set<String?> = ["usage", "milestone", "time", "organizational", nil]
      #expect(triggers.contains(offer.trigger))
    }
    #expect(offers > 0)
  }

  @Test("landings include discounted ACVs")
  func discountedLandings() {
    var listPrice = 0
    var discounted = 0
    for event in collect(accounts: 300, seed: 17) {
      guard case .accountLanded(let landed) = event.payload else { continue }
      let tier = tierOrder.firstIndex(of: landed.tier) ?? 0
      let list: [Int64] = [600_000, 1_800_000, 3_600_000]
      #expect(landed.acv.currency == .usd)
      #expect(landed.acv.minorUnits <= list[tier])
      if landed.acv.minorUnits == list[tier] { listPrice += 1 } else { discounted += 1 }
    }
    #expect(discounted > 0)
    #expect(listPrice > discounted)
  }

  @Test("late usage is 1 to 3 percent")
  func lateUsageShare() {
    var latest: Int64 = 0
    var late = 0
    var usage = 0
    for event in collect(accounts: 300, seed: 21) {
      let occurred = event.occurredAt.microseconds
      if event.type == .usageRecorded { usage += 1 }
      if occurred < latest - microsecondsPerDay {
        late += 1
        #expect(event.type == .usageRecorded, "late \(event.type) \(event.id)")
      } else {
        #expect(occurred >= latest, "out of order \(event.id)")
      }
      latest = max(latest, occurred)
    }
    #expect(usage > 10_000)
    #expect(late * 100 >= usage)
    #expect(late * 100 <= usage * 3)
  }

  @Test("usage is mostly the bulk of events")
  func usageDominates() {
    let events = collect(accounts: 150, seed: 23)
    let usage = events.filter { $0.type == .usageRecorded }.count
    #expect(usage * 10 >= events.count * 8)
    let metrics = Set(events.compactMap { event -> String? in
      guard case .usageRecorded(let record) = event.payload else { return nil }
      return record.metric
    })
    #expect(metrics == ["api_calls", "seats", "workflow_runs", "data_gb"])
  }

  @Test("event count scales with accounts")
  func countScales() {
    let small = collect(accounts: 100, seed: 31).count
    let large = collect(accounts: 400, seed: 31).count
    #expect(small >= 100 * 60)
    #expect(small <= 100 * 160)
    #expect(large * 10 >= small * 30)
    #expect(large * 10 <= small * 50)
  }

  @Test("events stay within the period")
  func eventsWithinPeriod() {
    let generator = PortfolioGenerator(accounts: 100, seed: 37, months: 6)
    let end = PortfolioGenerator.defaultStart.microseconds + Int64(generator.days + 1) * microsecondsPerDay
    var count = 0
    generator.generate { event in
      count += 1
      #expect(event.occurredAt >= PortfolioGenerator.defaultStart)
      #expect(event.occurredAt.microseconds < end)
    }
    #expect(generator.days == 182)
    #expect(count > 0)
  }

  @Test("check-ins mostly fall on days 55 to 75")
  func checkinTiming() throws {
    let histories = historiesByAccount(collect(accounts: 300, seed: 41))
    var inWindow = 0
    var outside = 0
    var never = 0
    for history in histories.values {
      let landing = try #require(history.first)
      guard let checkin = history.first(where: { $0.type == .checkinCompleted }) else {
        never += 1
        continue
      }
      let days = (checkin.occurredAt.microseconds - landing.occurredAt.microseconds) / microsecondsPerDay
      if (54...75).contains(days) { inWindow += 1 } else { outside += 1 }
    }
    #expect(inWindow > outside * 2)
    #expect(outside > 0)
    #expect(never > 0)
    #expect(never < inWindow)
  }

  @Test("API usage spans under and over 80 percent")
  func usageAgainstLimit() {
    // Monthly API calls of accounts that stay on `starter`, against its 100,000 limit.
    var tiers: [AccountID: String] = [:]
    var movers: Set<AccountID> = []
    var monthly: [String: Int64] = [:]
    for event in collect(accounts: 300, seed: 43) {
      switch event.payload {
      case .accountLanded(let landed):
        if let previous = tiers[event.account], previous != landed.tier {
          movers.insert(event.account)
        }
        tiers[event.account] = landed.tier
      case .tierChanged:
        movers.insert(event.account)
      case .usageRecorded(let usage) where usage.metric == "api_calls":
        let month = String(event.occurredAt.rfc3339.prefix(7))
        monthly[event.account.value + " " + month, default: 0] += usage.quantity.millionths
      default:
        break
      }
    }
    var high: Set<String> = []
    var low: Set<String> = []
    for (key, millionths) in monthly {
      let account = String(key.prefix(while: { $0 != " " }))
      let id = AccountID(normalized: account)
      guard tiers[id] == "starter", !movers.contains(id) else { continue }
      if millionths >= 80_000 * 1_000_000 { high.insert(account) }
      if millionths < 30_000 * 1_000_000 { low.insert(account) }
    }
    #expect(high.count >= 10)
    #expect(low.count >= 10)
  }
}

