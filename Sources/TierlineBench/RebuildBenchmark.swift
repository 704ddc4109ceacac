import TierlineEvents
import TierlineLedger
import TierlineProjections

/// Folds every projection of every account several times with
/// `Ledger.forEachProjection`, which reads the log once, folds the accounts on the given
/// number of threads and hands the projections over one by one, as `tierline replay`
/// prints them. Each projection is dropped once counted. The rules are looked up once,
/// before the clock starts.
///
/// `--threads` takes one count or several separated by commas, such as `1,2`. With
/// several, each repetition runs every count once, in an order that alternates between
/// repetitions, so that a slow spell of the shared machine slows every count alike
/// instead of the one measured during it. One line is printed per count.
enum RebuildBenchmark {
  static func run(_ options: BenchOptions) throws {
    let directory = try options.string("store")
    let threadCounts = try options.integers("threads", default: [1])
    let repetitions = try options.integer("repeat", default: 5)

    let ledger = try Ledger.open(directory: directory)
    let eventCount = try ledger.eventCount()
    let point = ReplayPoint()
    let rules = try ledger.replayRules(at: point)

    var timings = [[Double]](repeating: [], count: threadCounts.count)
    var accountCounts: Set<Int> = []
    for repetition in 0..<repetitions {
      let order = Array(threadCounts.indices)
      for index in repetition % 2 == 0 ? order : order.reversed() {
        var folded = 0
        var failure: (any Error)?
        let elapsed = measureSeconds {
          do {
            try ledger.forEachProjection(
              at: point, rules: rules, threads: threadCounts[index]
            ) { _ in
              folded += 1
            }
          } catch {
            failure = error
          }
        }
        if let failure { throw failure }
        accountCounts.insert(folded)
        timings[index].append(elapsed)
      }
    }
    // The account count comes from the folds themselves: listing the accounts through
    // the account index would map its pages and count them in the peak resident set.
    guard accountCounts.count == 1, let accounts = accountCounts.first, accounts > 0 else {
      throw BenchFailure("the folds returned different account counts: \(accountCounts)")
    }
    let peakResident = peakResidentBytes()
    let resident = residentBreakdown()

    for (index, threads) in threadCounts.enumerated() {
      let sorted = timings[index].sorted()
      let median = quantile(sorted, 0.5)
      report(
        "rebuild",
        [
          "events": eventCount, "accounts": accounts, "threads": threads,
          "repetitions": repetitions, "thread_counts_alternated": threadCounts.count,
          "median_seconds": median, "min_seconds": sorted.first ?? .nan,
          "max_seconds": sorted.last ?? .nan, "events_per_second": Double(eventCount) / median,
          "peak_rss_bytes": peakResident, "rss_anonymous_bytes": resident.anonymous,
          "rss_file_bytes": resident.file,
        ])
    }
  }
}
