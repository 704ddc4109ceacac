import Foundation
import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@testable import TierlineLedger
@testable import TierlineStore

@Suite("Log fold with the account table prefetched")
struct LogFoldPrefetchTests {
  @Test("table outgrows cache past size")
  func outgrowsCache() {
    var table = AccountTable(prefetchingAbove: 64 * 1024)
    #expect(!table.outgrowsCache)
    var count = 0
    while !table.outgrowsCache {
      let id = Array("account-\(count)".utf8)
      _ = id.withUnsafeBytes { table.slot(for: $0, hash: accountHash($0)) }
      count += 1
    }
    // The buckets are 32 bytes and at most half full, so 64 KiB has room for 2,048 buckets, and
    // the table doubles to 4,096 when the 1,025th id arrives.
    #expect(count == 1_025)
    #expect(AccountTable(prefetchingAbove: 0).outgrowsCache)
  }

  /// Storage format 3 with every account numbered, format 3 with only the first 40
  /// accounts numbered, so records with and without a number mix, and format 2, whose
  /// records carry no number.
  static let layouts: [(version: UInt64, largestNumber: UInt32)] = [
    (3, RecordLayout.largestOriginatorNumber), (3, 40), (2, RecordLayout.largestOriginatorNumber),
  ]

  @Test("held-back and numbered records give same projections", arguments: layouts)
  func sameProjections(version: UInt64, largestNumber: UInt32) throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-prefetch-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = version
    options.largestOriginatorNumber = largestNumber
    _ = try EventStore(directory: directory.path, options: options)
    let ledger = try Ledger.open(directory: directory.path, options: options)
    try ledger.activate(.builtInDefault, effectiveAt: .minimum)
    let stamps = try appendInBatches(
      generatedEvents(accounts: 300, seed: 11), to: ledger, batchSize: 2_000)
    #expect(stamps.count >= 3)
    #expect(try ledger.verify().isIntact)

    let middleOf2024 = try #require(Timestamp(rfc3339: "2024-07-01T00:00:00Z"))
    let points = [
      ReplayPoint(asOf: .maximum, knownAt: .maximum),
      ReplayPoint(asOf: middleOf2024, knownAt: .maximum),
      ReplayPoint(asOf: .maximum, knownAt: stamps[1]),
    ]
    for point in points {
      let rules = try ledger.replayRules(at: point)
      let folding = Ledger.projecting(at: point, rules: rules)
      var expected: [[UInt8]] = []
      try ledger.forEachProjection(of: try ledger.accounts(), at: point, rules: rules) {
        expected.append(ProjectionJSON.encode($0))
      }
      #expect(expected.count > 50)
      for threads in [1, 3] {
        for prefetchBytes in [0, AccountTable.cachedBucketBytes] {
          var fold = LogFold(point: point)
          fold.tablePrefetchBytes = prefetchBytes
          var found: [[UInt8]] = []
          try ledger.forEachFold(using: fold, threads: threads, with: folding) {
            found.append(ProjectionJSON.encode($0))
          }
          #expect(found == expected, "\(point), \(threads) threads, \(prefetchBytes) bytes")
        }
      }
    }
  }
}
