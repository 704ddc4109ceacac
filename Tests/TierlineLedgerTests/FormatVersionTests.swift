import Foundation
import Testing
import TierlineEvents
import TierlineLedger
import TierlinePlaybook

@testable import TierlineStore

@Suite("Ledger format versions")
struct FormatVersionTests {
  @Test("unknown format is named, not damage")
  func unknownFormatNamed() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-format-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = try Ledger.create(directory: directory, playbook: .builtInDefault)
    do {
      let store = try EventStore(directory: directory)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      try transaction.putMetaValue(.formatVersion, 3, in: store.databases)
      try transaction.commit()
    }

    let error = #expect(throws: LedgerError.self) {
      try Ledger.open(directory: directory)
    }
    #expect(error?.message.contains("storage format version 3") == true)
    #expect(error?.message.contains("damaged") == false)
  }

  @Test("format 1 entry naming another account")
  func foreignEntryNamed() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-format-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 1
    _ = try EventStore(directory: directory, options: options)
    let ledger = try Ledger.open(directory: directory)
    try ledger.activate(.builtInDefault, effectiveAt: .minimum)
    var events: [NumberedEvent] = []
    PortfolioGenerator(accounts: 2, seed: 5).generate { event in
      events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
    }
    _ = try ledger.append(events)
    let first = events[0].incoming.event.account
    let other = try #require(events.firstIndex { $0.incoming.event.account != first })
    let foreign = events[other].incoming.event

    // An entry under the first account that points at the other account's event, with
    // that event's time, as a damaged format 1 entry without a checksum could.
    let store = try EventStore(directory: directory)
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    try KeyLayout.withBytes(Array(first.value.utf8)) { key throws(LMDBError) in
      try KeyLayout.withOriginatorEntry(
        occurredAt: foreign.occurredAt.microseconds, position: UInt64(other + 1)
      ) { entry throws(LMDBError) in
        try transaction.put(in: store.databases.originators, key: key, value: entry)
      }
    }
    try transaction.commit()

    let error = #expect(throws: LedgerError.self) {
      try Ledger.open(directory: directory).log(of: first)
    }
    #expect(error?.message.contains("contains an event of \(foreign.account.value)") == true)
  }
}
