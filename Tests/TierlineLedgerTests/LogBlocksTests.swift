import CLMDB
import Dispatch
import Foundation
import Testing
import TierlineEvents
import TierlinePlaybook
import TierlineProjections

@testable import TierlineLedger
@testable import TierlineStore

@Suite("Log scan in blocks claimed from both ends")
struct LogBlocksTests {
  /// Claims every block of `blocks`, taking a side from `sides` in turn, and returns the
  /// blocks claimed from the start and those claimed from the end, in claim order.
  private func claimAll(_ blocks: LogBlocks, sides: [Bool]) -> (
    front: [ClosedRange<UInt64>], back: [ClosedRange<UInt64>]
  ) {
    var front: [ClosedRange<UInt64>] = []
    var back: [ClosedRange<UInt64>] = []
    var turn = 0
    while let block = blocks.claim(fromEnd: sides[turn % sides.count]) {
      if sides[turn % sides.count] { back.append(block) } else { front.append(block) }
      turn += 1
    }
    return (front, back)
  }

  /// Checks that `front` runs upwards from `first` without gaps, that `back` runs
  /// downwards to `last` without gaps, and that together they cover `first...last` once.
  private func expectCover(
    _ front: [ClosedRange<UInt64>], _ back: [ClosedRange<UInt64>], first: UInt64, last: UInt64
  ) {
    let inOrder = front + back.reversed()
    guard last >= first else {
      #expect(inOrder.isEmpty)
      return
    }
    #expect(inOrder.first?.lowerBound == first)
    #expect(inOrder.last?.upperBound == last)
    for (earlier, later) in zip(inOrder, inOrder.dropFirst()) {
      #expect(later.lowerBound == earlier.upperBound + 1, "\(earlier) then \(later)")
    }
  }

  @Test(
    "blocks from both ends cover the range once",
    arguments: [
      (1, 0), (1, 1), (5, 9), (1, 1_023), (1, 1_024), (1, 1_025), (7, 200_006),
    ] as [(UInt64, UInt64)])
  func coverage(first: UInt64, last: UInt64) {
    for shortest: UInt64 in [1, 3, 1_024] {
      for sides in [[false], [true], [false, true], [true, true, false]] {
        let blocks = LogBlocks(first: first, last: last, shortestBlock: shortest)
        let (front, back) = claimAll(blocks, sides: sides)
        expectCover(front, back, first: first, last: last)
        let lengths = (front + back).map { $0.count }
        // Every block but the one at the range's end has the same length, at least the
        // shortest, and the range has at most 128 blocks unless the shortest forbids it.
        let lastBlock = (front + back).first { $0.upperBound == last }
        let others = (front + back).filter { $0 != lastBlock }.map { $0.count }
        #expect(Set(others).count <= 1)
        #expect(lengths.allSatisfy { $0 >= 1 })
        if let length = others.first {
          #expect(UInt64(length) >= shortest)
          #expect(lengths.count <= 128 || UInt64(length) == shortest)
        }
      }
    }
  }

  @Test("concurrent claims share the blocks")
  func concurrentClaims() {
    for _ in 0..<20 {
      let blocks = LogBlocks(first: 1, last: 100_000, shortestBlock: 1)
      let claimed = ThreadResults<[ClosedRange<UInt64>]>(count: 2)
      DispatchQueue.concurrentPerform(iterations: 2) { side in
        var mine: [ClosedRange<UInt64>] = []
        while let block = blocks.claim(fromEnd: side == 1) { mine.append(block) }
        claimed.store(mine, at: side)
      }
      guard let parts = try? claimed.collect() else {
        Issue.record("a thread stored no blocks")
        return
      }
      expectCover(parts[0], parts[1], first: 1, last: 100_000)
    }
  }

  /// Creates a ledger of 300 generated accounts appended in batches, and returns it with
  /// the time at which each batch was recorded.
  private func generatedLedger() throws -> (Ledger, directory: String, stamps: [Timestamp]) {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-blocks-\(UUID().uuidString)").path
    let ledger = try Ledger.create(directory: directory, playbook: .builtInDefault)
    let stamps = try appendInBatches(
      generatedEvents(accounts: 300, seed: 23), to: ledger, batchSize: 2_500)
    return (ledger, directory, stamps)
  }

  @Test("small blocks match one-thread fold")
  func smallBlocks() throws {
    let (ledger, directory, stamps) = try generatedLedger()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    #expect(stamps.count >= 3)
    let middleOf2024 = try #require(Timestamp(rfc3339: "2024-07-01T00:00:00Z"))
    for point in [
      ReplayPoint(asOf: .maximum, knownAt: .maximum),
      ReplayPoint(asOf: middleOf2024, knownAt: .maximum),
      ReplayPoint(asOf: .maximum, knownAt: stamps[1]),
    ] {
      let rules = try ledger.replayRules(at: point)
      let folding = Ledger.projecting(at: point, rules: rules)
      var expected: [[UInt8]] = []
      try ledger.forEachFold(using: LogFold(point: point), threads: 1, with: folding) {
        expected.append(ProjectionJSON.encode($0))
      }
      #expect(expected.count > 50)
      for threads in [2, 3, 4] {
        for shortest: UInt64 in [1, 7, 1_024] {
          var fold = LogFold(point: point)
          fold.shortestBlock = shortest
          var found: [[UInt8]] = []
          try ledger.forEachFold(using: fold, threads: threads, with: folding) {
            found.append(ProjectionJSON.encode($0))
          }
          #expect(found == expected, "\(point), \(threads) threads, blocks of \(shortest)")
        }
      }
    }
  }

  /// Checks that `found` is `1...last` in order, naming the first place where it is not.
  private func expectEveryPosition(_ found: [UInt64], through last: UInt64) {
    let wrong = zip(found.indices, found).first { $0.1 != UInt64($0.0) + 1 }
    #expect(
      found.count == Int(last) && wrong == nil,
      "\(found.count) entries; entry \(wrong?.0 ?? -1) is position \(wrong?.1 ?? 0)")
  }

  /// Returns the positions of the entries of `part`, in the order the fold reads them.
  private func positions(of part: LogPart) -> [UInt64] {
    var positions: [UInt64] = []
    let pool = ChunkPool()
    for block in part.blocks.indices {
      part.blocks[block].drain(into: pool) { positions.append($0.position) }
    }
    return positions
  }

  @Test("parts keep entries in log order")
  func partsInLogOrder() throws {
    let (ledger, directory, _) = try generatedLedger()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let last = UInt64(try ledger.eventCount())
    let fold = LogFold(point: ReplayPoint(asOf: .maximum, knownAt: .maximum))

    // A thread alone at the end of the range claims every block, last one first.
    let alone = try ledger.store.read { transaction in
      try fold.scan(
        in: transaction, claiming: LogBlocks(first: 1, last: last, shortestBlock: 1),
        fromEnd: true)
    }
    #expect(alone.blocks.count == 128)
    expectEveryPosition(positions(of: alone), through: last)

    // Two threads, one from each end.
    for _ in 0..<5 {
      let blocks = LogBlocks(first: 1, last: last, shortestBlock: 1)
      let parts = ThreadResults<LogPart>(count: 2)
      let store = ledger.store
      DispatchQueue.concurrentPerform(iterations: 2) { side in
        do {
          let part = try store.read { transaction in
            try fold.scan(in: transaction, claiming: blocks, fromEnd: side == 1)
          }
          parts.store(part, at: side)
        } catch {
          parts.fail(error)
        }
      }
      let both = try parts.collect()
      expectEveryPosition(positions(of: both[0]) + positions(of: both[1]), through: last)
    }
  }

  @Test("a damaged branch key misleads no block seek")
  func damagedBranchKey() throws {
    let (ledger, directory, _) = try generatedLedger()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let last = UInt64(try ledger.eventCount())
    let blocks = LogBlocks(first: 1, last: last, shortestBlock: 1)
    let blockStarts = sequence(first: UInt64(1)) { $0 + (last + 127) / 128 }.prefix { $0 <= last }

    // LMDB's branch pages repeat the first key of each page below them. A log key lies
    // in a node after its 8-byte node header, whose last two bytes give the key size 8.
    // Changing a branch page's copy of the first key above a block start to that block
    // start sends a seek for it to the page after its own.
    let dataFile = directory + "/data.mdb"
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataFile)))
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    func branchCopy(of position: UInt64) -> Int? {
      let pattern = [8, 0] + withUnsafeBytes(of: position.bigEndian) { Array($0) }
      var start = 0
      while let found = bytes[start...].firstRange(of: pattern)?.lowerBound {
        let page = found / pageSize * pageSize
        // A page header has the page number, 2 bytes of padding, then the flags, where
        // 0x01 marks a branch page.
        if bytes[page + 10] & 0x01 != 0 { return found + 2 }
        start = found + 1
      }
      return nil
    }
    let middle = Array(blockStarts)[blockStarts.count / 2]
    let damaged = try #require(
      (middle + 1..<min(last, middle + 200)).lazy.compactMap { position in
        branchCopy(of: position).map { (position, $0) }
      }.first)
    withUnsafeBytes(of: middle.bigEndian) { key in
      for (index, byte) in key.enumerated() { bytes[damaged.1 + index] = byte }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: dataFile))

    // A thread alone at the end of the range seeks every block start, last one first.
    let reopened = try Ledger.open(directory: directory)
    let fold = LogFold(point: ReplayPoint(asOf: .maximum, knownAt: .maximum))
    let part = try reopened.store.read { transaction in
      try fold.scan(in: transaction, claiming: blocks, fromEnd: true)
    }
    expectEveryPosition(positions(of: part), through: last)
  }

  @Test("missing position named on every thread count")
  func missingPosition() throws {
    let (ledger, directory, _) = try generatedLedger()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let count = try ledger.eventCount()
    let missing = UInt64(count) * 2 / 3
    do {
      let store = try EventStore(directory: directory)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      var key = missing.bigEndian
      let deleted = withUnsafeMutableBytes(of: &key) { bytes in
        var value = MDB_val(mv_size: bytes.count, mv_data: bytes.baseAddress)
        return mdb_del(transaction.handle, store.databases.log, &value, nil)
      }
      #expect(deleted == 0)
      try transaction.commit()
    }
    let reopened = try Ledger.open(directory: directory)
    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let folding = Ledger.projecting(at: point, rules: try reopened.replayRules(at: point))
    for threads in [1, 2, 3] {
      for shortest: UInt64 in [1, 7, 1_024] {
        var fold = LogFold(point: point)
        fold.shortestBlock = shortest
        let error = #expect(throws: LedgerError.self) {
          try reopened.forEachFold(using: fold, threads: threads, with: folding) { _ in }
        }
        #expect(
          error?.message.contains("the log has no record at position \(missing)") == true,
          "\(threads) threads, blocks of \(shortest): \(String(describing: error))")
      }
    }
  }
}
