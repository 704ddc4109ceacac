import Foundation
import Testing
import TierlineEvents
import TierlineLedger

@Suite("Event spool")
struct EventSpoolTests {
  let directory: URL

  init() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-spool-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  /// Returns a numbered usage event; `metric` sets its size.
  func usage(
    line: Int, id: String, quantity: Int64 = 1, metric: String = "api_calls",
    expectedVersion: UInt64? = nil, second: Int64 = 0
  ) -> NumberedEvent {
    let event = Event(
      id: id, account: AccountID(normalized: "acme"),
      occurredAt: Timestamp(seconds: 1_738_584_000 + second),
      payload: .usageRecorded(UsageRecorded(metric: metric, quantity: Quantity(units: quantity))))
    return NumberedEvent(
      line: line, incoming: IncomingEvent(event: event, expectedVersion: expectedVersion))
  }

  /// Reads every batch of `spool`.
  func batches(of spool: EventSpool, size: Int) throws -> [[NumberedEvent]] {
    var batches = try spool.batches(size: size)
    var read: [[NumberedEvent]] = []
    while let batch = try batches.nextBatch() { read.append(batch) }
    return read
  }

  @Test("events come back in order")
  func roundTrip() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    // Long metric names take the spool past its 1 MiB write buffer several times, so
    // records straddle the reads' buffer boundaries.
    let events = (1...3_000).map { line in
      usage(
        line: line * 2, id: "e-\(line)", quantity: Int64(line),
        metric: String(repeating: "m", count: line % 1_500),
        expectedVersion: line % 3 == 0 ? nil : UInt64(line % 3 == 1 ? 0 : Int64.max),
        second: Int64(line))
    }
    // Reading frees the space of what was read, so each batch size gets its own spool.
    for size in [1, 7, 1_000, 5_000] {
      let spool = try EventSpool(in: [directory.path])
      for event in events { try spool.append(event) }
      #expect(spool.count == 3_000)
      let read = try batches(of: spool, size: size)
      #expect(read.count == (3_000 + size - 1) / size)
      #expect(read.dropLast().allSatisfy { $0.count == size })
      let flat = read.flatMap { $0 }
      #expect(flat.map(\.line) == events.map(\.line))
      #expect(flat.map(\.incoming) == events.map(\.incoming))
    }
  }

  @Test("read batches give their space back")
  func spaceReleased() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let spool = try EventSpool(in: [directory.path])
    for line in 1...20_000 {
      try spool.append(
        usage(line: line, id: "e-\(line)", metric: String(repeating: "m", count: 200)))
    }
    var batches = try spool.batches(size: 5_000)
    let written = spool.allocatedBytes
    #expect(written > 4_000_000)
    var read = 0
    while let batch = try batches.nextBatch() { read += batch.count }
    #expect(read == 20_000)
    // Every batch but the last, and most of the last one's read buffer, is freed.
    #expect(spool.allocatedBytes < written / 3, "\(spool.allocatedBytes) of \(written)")
  }

  @Test("all events come back without writing")
  func allEventsRead() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let spool = try EventSpool(in: [directory.path])
    // Enough to write the buffer out once, so events come from the file and the buffer.
    let events = (1...6_000).map { line in
      usage(line: line, id: "e-\(line)", metric: String(repeating: "m", count: 200))
    }
    for event in events { try spool.append(event) }
    #expect(spool.allocatedBytes > 0)
    let read = try spool.allEvents()
    #expect(read.map(\.line) == events.map(\.line))
    #expect(read.map(\.incoming) == events.map(\.incoming))
  }

  @Test("repeated id found in an array")
  func repeatedIDInArray() throws {
    var check = RepeatedIDCheck(hash: { _ in 1 })
    let events = [
      usage(line: 1, id: "a", quantity: 1), usage(line: 2, id: "b", quantity: 2),
      usage(line: 3, id: "a", quantity: 1), usage(line: 4, id: "b", quantity: 5),
    ]
    for (index, event) in events.enumerated() {
      try check.add(event, at: UInt64(index)) { (earlier) throws(LedgerError) in
        events[Int(earlier)]
      }
    }
    #expect(check.conflict?.line == 4)
    #expect(check.conflict?.message.contains("already used on line 2") == true)
  }

  @Test("no file is left in the directory")
  func unlinked() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let spool = try EventSpool(in: [directory.path])
    try spool.append(usage(line: 1, id: "e-1"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
  }

  @Test("missing directory falls back to the next")
  func fallback() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let missing = directory.appendingPathComponent("missing").path
    let spool = try EventSpool(in: [missing, directory.path])
    try spool.append(usage(line: 1, id: "e-1"))
    #expect(try batches(of: spool, size: 10).flatMap { $0 }.map(\.line) == [1])

    let error = #expect(throws: LedgerError.self) { try EventSpool(in: [missing]) }
    #expect(error?.kind == .storage)
    #expect(error?.message.contains("\(missing): No such file or directory") == true)
  }

  @Test("event at an offset, written or still buffered")
  func eventAtOffset() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let spool = try EventSpool(in: [directory.path])
    let first = try spool.append(usage(line: 1, id: "e-1", quantity: 5))
    // The second event is still in the write buffer when it is read back.
    let second = try spool.append(usage(line: 2, id: "e-2", quantity: 6, expectedVersion: 4))
    #expect(
      try spool.event(at: second).incoming
        == usage(line: 2, id: "e-2", quantity: 6, expectedVersion: 4).incoming)
    #expect(try spool.event(at: first).line == 1)
    #expect(try spool.event(at: first).incoming == usage(line: 1, id: "e-1", quantity: 5).incoming)
  }

  @Test("repeated id with other content is found")
  func repeatedID() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let spool = try EventSpool(in: [directory.path])
    var check = RepeatedIDCheck()
    for event in [
      usage(line: 1, id: "a", quantity: 1), usage(line: 2, id: "b", quantity: 2),
      usage(line: 3, id: "a", quantity: 1),
    ] {
      try check.add(event, at: try spool.append(event), in: spool)
    }
    // The same event twice is a duplicate, which the ledger skips.
    #expect(check.conflict == nil)
    let changed = usage(line: 4, id: "b", quantity: 3)
    try check.add(changed, at: try spool.append(changed), in: spool)
    let conflict = try #require(check.conflict)
    #expect(conflict.kind == .invalidInput)
    #expect(conflict.line == 4)
    #expect(conflict.field == "id")
    #expect(
      conflict.message
        == #"line 4: id: event id "b" is already used on line 2 by an event with other "#
        + "content; a correction needs a new event with a new id; nothing was stored")
  }

  @Test("ids sharing a hash stay apart")
  func sharedHash() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let spool = try EventSpool(in: [directory.path])
    // Every id gets the same hash, so each lookup goes through the ids' bytes.
    var check = RepeatedIDCheck(hash: { _ in 7 })
    let events = [
      usage(line: 1, id: "a", quantity: 1), usage(line: 2, id: "b", quantity: 2),
      usage(line: 3, id: "c", quantity: 3), usage(line: 4, id: "b", quantity: 2),
      usage(line: 5, id: "a", quantity: 1),
      // "café" in NFC and in NFD are two ids, as the ledger stores them.
      usage(line: 6, id: "caf\u{E9}", quantity: 1), usage(line: 7, id: "cafe\u{301}", quantity: 2),
    ]
    for event in events { try check.add(event, at: try spool.append(event), in: spool) }
    #expect(check.conflict == nil)

    let changed = usage(line: 8, id: "c", quantity: 4)
    try check.add(changed, at: try spool.append(changed), in: spool)
    #expect(check.conflict?.line == 8)
    #expect(check.conflict?.message.contains("already used on line 3") == true)
  }
}
