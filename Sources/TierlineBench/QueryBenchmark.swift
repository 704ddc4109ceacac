import TierlineEvents
import TierlineLedger

/// Times point-in-time queries of single accounts chosen at random.
///
/// Each query looks up the rules in force and folds one account, as
/// `tierline replay --account` does, in its own read transaction.
enum QueryBenchmark {
  static func run(_ options: BenchOptions) throws {
    let directory = try options.string("store")
    let samples = try options.integer("samples", default: 2_000)
    let warmUp = try options.integer("warm-up", default: 200)
    // A seeded generator, so every run queries the same accounts.
    var random = SplitMix64(state: UInt64(try options.integer("seed", default: 1)))

    let ledger = try Ledger.open(directory: directory)
    let eventCount = try ledger.eventCount()
    let accounts = try ledger.accounts()
    guard !accounts.isEmpty else { throw BenchFailure("the ledger at \(directory) is empty") }

    var timings: [Double] = []
    timings.reserveCapacity(samples)
    for index in 0..<(warmUp + samples) {
      let account = accounts[Int(random.next() % UInt64(accounts.count))]
      var found = false
      let elapsed = try measureSeconds {
        let point = ReplayPoint()
        let rules = try ledger.replayRules(at: point)
        found = try ledger.projection(of: account, at: point, rules: rules) != nil
      }
      guard found else { throw BenchFailure("no projection for \(account)") }
      if index >= warmUp { timings.append(elapsed) }
    }

    let sorted = timings.sorted()
    report(
      "query",
      [
        "events": eventCount, "accounts": accounts.count, "samples": samples,
        "p50_seconds": quantile(sorted, 0.5), "p99_seconds": quantile(sorted, 0.99),
        "max_seconds": sorted.last ?? .nan,
        "mean_events_per_account": Double(eventCount) / Double(accounts.count),
      ])
  }
}
