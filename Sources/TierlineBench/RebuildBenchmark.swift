import Dispatch
import TierlineEvents
import TierlineLedger
import TierlineProjections

/// Folds every projection of every account, split across threads, several times.
///
/// Each thread folds a contiguous share of the accounts in its own read transaction.
/// The rules are looked up once, before the clock starts.
enum RebuildBenchmark {
  static func run(_ options: BenchOptions) throws {
    let directory = try options.string("store")
    let threads = try options.integer("threads", default: 1)
    let repetitions = try options.integer("repeat", default: 5)

    let ledger = try Ledger.open(directory: directory)
    let eventCount = try ledger.eventCount()
    let accounts = try ledger.accounts()
    let point = ReplayPoint()
    let rules = try ledger.replayRules(at: point)
    let shares = split(accounts, into: threads)

    var timings: [Double] = []
    for _ in 0..<repetitions {
      let folded = FoldCounter(shares: shares.count)
      let shared = SharedLedger(ledger: ledger)
      let elapsed = measureSeconds {
        DispatchQueue.concurrentPerform(iterations: shares.count) { index in
          var count = 0
          do {
            try shared.ledger.forEachProjection(of: shares[index], at: point, rules: rules) {
              _ in count += 1
            }
          } catch {
            print("error: the rebuild failed: \(error)")
          }
          folded.record(count, share: index)
        }
      }
      guard folded.total == accounts.count else {
        throw BenchFailure("folded \(folded.total) of \(accounts.count) accounts")
      }
      timings.append(elapsed)
    }

    let sorted = timings.sorted()
    let median = quantile(sorted, 0.5)
    let resident = residentBreakdown()
    report(
      "rebuild",
      [
        "events": eventCount, "accounts": accounts.count, "threads": threads,
        "repetitions": repetitions, "median_seconds": median,
        "min_seconds": sorted.first ?? .nan, "max_seconds": sorted.last ?? .nan,
        "events_per_second": Double(eventCount) / median,
        "peak_rss_bytes": peakResidentBytes(), "rss_anonymous_bytes": resident.anonymous,
        "rss_file_bytes": resident.file,
      ])
  }

  /// Splits `accounts` into `count` contiguous shares of nearly equal size.
  static func split(_ accounts: [AccountID], into count: Int) -> [ArraySlice<AccountID>] {
    let size = (accounts.count + count - 1) / max(count, 1)
    return stride(from: 0, to: accounts.count, by: max(size, 1)).map {
      accounts[$0..<min($0 + size, accounts.count)]
    }
  }
}

/// A ledger handed to the rebuild threads, which only call its read methods.
///
/// `Ledger.forEachProjection(of:at:rules:_:)` may run on several threads at once because
/// each call opens its own read transaction on a store opened with `MDB_NOTLS`.
struct SharedLedger: @unchecked Sendable {
  let ledger: Ledger
}

/// Per-thread counts of folded accounts; each thread writes only its own slot.
final class FoldCounter: @unchecked Sendable {
  private let counts: UnsafeMutableBufferPointer<Int>

  init(shares: Int) {
    counts = .allocate(capacity: max(shares, 1))
    counts.initialize(repeating: 0)
  }

  deinit {
    counts.deallocate()
  }

  func record(_ count: Int, share: Int) {
    counts[share] = count
  }

  var total: Int { counts.reduce(0, +) }
}
