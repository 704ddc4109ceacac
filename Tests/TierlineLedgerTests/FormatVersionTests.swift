import Foundation
import Testing
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
}
