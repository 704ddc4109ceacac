import Testing
import TierlineEvents
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

@Suite("Portfolio generator audit")
struct GeneratorAuditTests {
  @Test("offers cite triggers the playbook shows fired")
  func offersCiteFiredTriggers() throws {
    var histories: [AccountID: [(Int, Event)]] = [:]
    var arrival = 0
    PortfolioGenerator(accounts: 150, seed: 5).generate { event in
      histories[event.account, default: []].append((arrival, event))
      arrival += 1
    }
    var offers = 0
    var cited = 0
    for (account, history) in histories {
      let ordered = history.sorted { ($0.1.occurredAt, $0.0) < ($1.1.occurredAt, $1.0) }
      var state = AccountState(account: account, playbook: .builtInDefault)
      for (position, event) in ordered {
        if case .expansionOffered(let offer) = event.payload {
          offers += 1
          if let trigger = offer.trigger {
            cited += 1
            let projection = state.projection(
              asOf: event.occurredAt, knownAt: .maximum, rulesVersion: "")
            let fired = projection.triggers.filter(\.fired).map(\.type)
            #expect(fired.contains(trigger), "\(event.id) cites \(trigger); fired: \(fired)")
          }
        }
        state.apply(event, position: UInt64(position))
      }
    }
    #expect(offers > 50)
    #expect(cited * 10 >= offers * 9, "\(cited) of \(offers) offers cite a trigger")
  }
}
