import Foundation
import Testing
import TierlineEvents
import TierlineLedger
import TierlinePlaybook

@Suite("Append id conflicts")
struct AppendIDConflictTests {
  let directory: URL
  let ledger: Ledger
  let account = AccountID(normalized: "acme")

  init() throws {
    directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-id-conflict-\(UUID().uuidString)")
    ledger = try Ledger.create(directory: directory.path, playbook: .builtInDefault)
  }

  /// Returns a usage event of `account` on `line` with `id` and `quantity` whole units.
  func usage(line: Int, id: String, quantity: Int64) -> NumberedEvent {
    let event = Event(
      id: id, account: account, occurredAt: Timestamp(seconds: 1_738_584_000),
      payload: .usageRecorded(
        UsageRecorded(metric: "api_calls", quantity: Quantity(units: quantity))))
    return NumberedEvent(line: line, incoming: IncomingEvent(event: event))
  }

  /// Appends `batch` and returns the error it must raise.
  func rejection(_ batch: [NumberedEvent]) throws -> LedgerError {
    let error = #expect(throws: LedgerError.self) { try ledger.append(batch) }
    return try #require(error)
  }

  @Test("id repeated in one batch names the earlier line")
  func repeatedInBatch() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    let error = try rejection([
      usage(line: 1, id: "n-9", quantity: 5), usage(line: 2, id: "n-9", quantity: 6),
    ])
    #expect(error.kind == .invalidInput)
    #expect(error.line == 2)
    #expect(error.field == "id")
    #expect(
      error.message
        == #"line 2: id: event id "n-9" is already used on line 1 by an event with other "#
        + "content; a correction needs a new event with a new id; nothing of this batch was "
        + "stored")
    #expect(try ledger.log(of: account).isEmpty)
  }

  @Test("id stored before the batch reads as already used")
  func storedBefore() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try ledger.append([usage(line: 1, id: "n-9", quantity: 5)])
    let error = try rejection([
      usage(line: 1, id: "n-8", quantity: 1), usage(line: 2, id: "n-9", quantity: 6),
    ])
    #expect(error.line == 2)
    #expect(
      error.message
        == #"line 2: id: event id "n-9" is already used by an event with other content; a "#
        + "correction needs a new event with a new id; nothing of this batch was stored")
    #expect(try ledger.log(of: account).count == 1)
  }

  @Test("duplicate of a stored event names its line")
  func storedAndRepeated() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    _ = try ledger.append([usage(line: 1, id: "n-9", quantity: 5)])
    // Line 1 repeats the stored event, and line 2 differs from both.
    let error = try rejection([
      usage(line: 1, id: "n-9", quantity: 5), usage(line: 2, id: "n-9", quantity: 6),
    ])
    #expect(error.line == 2)
    #expect(error.message.contains(#"event id "n-9" is already used on line 1 by an event"#))
    #expect(try ledger.log(of: account).count == 1)
  }

  @Test("earlier line is matched by id bytes")
  func idBytes() throws {
    defer { try? FileManager.default.removeItem(at: directory) }
    // Line 1 spells "café" in NFD and lines 2 and 3 in NFC. The store takes these as two
    // ids, so line 3 conflicts with line 2, although Swift's == takes line 1 as equal too.
    let error = try rejection([
      usage(line: 1, id: "cafe\u{301}", quantity: 5), usage(line: 2, id: "caf\u{E9}", quantity: 5),
      usage(line: 3, id: "caf\u{E9}", quantity: 6),
    ])
    #expect(error.line == 3)
    #expect(error.message.contains("is already used on line 2 by an event"), "\(error)")
    #expect(try ledger.log(of: account).isEmpty)
  }
}
