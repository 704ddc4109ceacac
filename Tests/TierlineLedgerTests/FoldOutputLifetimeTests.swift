import Foundation
import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@testable import TierlineLedger

@Suite("Outputs of a parallel fold")
struct FoldOutputLifetimeTests {
  /// Counts the outputs alive, across threads.
  private final class LiveCount: @unchecked Sendable {
    private let lock = NSLock()
    private var live = 0
    private var created = 0

    func add() {
      lock.withLock {
        live += 1; created += 1
      }
    }
    func remove() { lock.withLock { live -= 1 } }
    var counts: (live: Int, created: Int) { lock.withLock { (live, created) } }
  }

  /// An output that counts itself alive until its last reference goes.
  private final class Tracked: @unchecked Sendable {
    let events: Int
    private let count: LiveCount

    init(events: Int, count: LiveCount) {
      self.events = events
      self.count = count
      count.add()
    }

    deinit { count.remove() }
  }

  /// A fold that counts its account's events.
  private struct EventCount: AccountEventFold {
    var events = 0
    mutating func apply(_ payload: Payload, occurredAt: Int64, position: UInt64) { events += 1 }
    mutating func applyUsage(
      metric: String, millionths: Int64, occurredAt: Int64, position: UInt64
    ) { events += 1 }
  }

  @Test("every output freed after the fold")
  func outputsFreed() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-outputs-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let ledger = try Ledger.create(directory: directory, playbook: .builtInDefault)
    let events = generatedEvents(accounts: 600, seed: 41)
    _ = try appendInBatches(events, to: ledger, batchSize: 5_000)
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)

    for threads in [1, 2, 3] {
      let count = LiveCount()
      let folding = AccountFolding<EventCount, Tracked>(
        start: { _ in EventCount() }, finish: { Tracked(events: $0.events, count: count) })
      var heldByCaller: [Tracked] = []
      var handedOver = 0
      var eventsSeen = 0
      try ledger.forEachFold(at: point, threads: threads, with: folding) { output in
        handedOver += 1
        eventsSeen += output.events
        // Every tenth output is held past the fold, so the fold must not free it.
        if handedOver % 10 == 0 { heldByCaller.append(output) }
      }
      #expect(handedOver == 600, "\(threads) threads")
      #expect(eventsSeen == events.count, "\(threads) threads")
      #expect(count.counts.created == handedOver, "\(threads) threads")
      #expect(count.counts.live == heldByCaller.count, "\(threads) threads")
      #expect(heldByCaller.allSatisfy { $0.events > 0 })
      heldByCaller = []
      #expect(count.counts.live == 0, "\(threads) threads")
    }
  }
}
