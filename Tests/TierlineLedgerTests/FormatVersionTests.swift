import Foundation
import Testing
import TierlineEvents
import TierlineLedger
import TierlinePlaybook

import CLMDB

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
      try transaction.putMetaValue(.formatVersion, 5, in: store.databases)
      try transaction.commit()
    }

    let error = #expect(throws: LedgerError.self) {
      try Ledger.open(directory: directory)
    }
    #expect(error?.message.contains("storage format version 5") == true)
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

@Suite("Account numbers in verify")
struct AccountNumberVerifyTests {
  /// Creates a format 3 ledger with the events of three generated accounts, and returns
  /// its directory and the accounts in order of first appearance.
  private func ledgerWithThreeAccounts() throws -> (directory: String, accounts: [String]) {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-numbers-\(UUID().uuidString)").path
    let ledger = try Ledger.create(directory: directory, playbook: .builtInDefault)
    let events = generatedEvents(accounts: 3, seed: 9)
    _ = try ledger.append(events)
    #expect(try ledger.verify().isIntact)
    var accounts: [String] = []
    for event in events where !accounts.contains(event.incoming.event.account.value) {
      accounts.append(event.incoming.event.account.value)
    }
    return (directory, accounts)
  }

  /// Stores `value` under `account` in `originator_numbers`, bypassing the append.
  private func overwriteNumber(in directory: String, of account: String, with value: UInt64)
    throws
  {
    let store = try EventStore(directory: directory)
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    let numbers = try #require(store.databases.originatorNumbers)
    var bytes = value
    try Array(account.utf8).withUnsafeBytes { key in
      try withUnsafeBytes(of: &bytes) { value in
        try transaction.put(in: numbers, key: key, value: value)
      }
    }
    try transaction.commit()
  }

  private func numberValue(_ number: UInt32, of account: String) -> UInt64 {
    Array(account.utf8).withUnsafeBytes { OriginatorNumberLayout.value(number, for: $0) }
  }

  @Test("two accounts with swapped numbers are named")
  func swappedNumbers() throws {
    let (directory, accounts) = try ledgerWithThreeAccounts()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // Accounts are numbered in order of first appearance, from 1.
    try overwriteNumber(in: directory, of: accounts[0], with: numberValue(2, of: accounts[0]))
    try overwriteNumber(in: directory, of: accounts[1], with: numberValue(1, of: accounts[1]))

    let report = try Ledger.open(directory: directory).verify()
    #expect(
      report.problems.contains(
        "account numbers: the records of \"\(accounts[0])\" carry number 1, but "
          + "originator_numbers stores 2"), "\(report.problems)")
    // originator_ids still maps each number to its first account.
    #expect(
      report.problems.contains(
        "account numbers: originator_ids stores \"\(accounts[1])\" under number 2 of "
          + "\"\(accounts[0])\""), "\(report.problems)")
    // From format 4 on the account index finds entries by number, so each account is
    // listed with the other's entries as well.
    #expect(
      report.problems.contains { $0.hasPrefix("account index: \"\(accounts[0])\" has ") },
      "\(report.problems)")
    #expect(report.problems.count == 6, "\(report.problems)")
  }

  @Test("a number given twice is named")
  func numberGivenTwice() throws {
    let (directory, accounts) = try ledgerWithThreeAccounts()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try overwriteNumber(in: directory, of: accounts[2], with: numberValue(1, of: accounts[2]))

    let problems = try Ledger.open(directory: directory).verify().problems
    #expect(problems.contains { $0.contains("both have number 1") }, "\(problems)")
    #expect(problems.contains { $0.contains("carry number 3") }, "\(problems)")
  }

  @Test("a number without an account is named")
  func strayNumber() throws {
    let (directory, _) = try ledgerWithThreeAccounts()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try overwriteNumber(in: directory, of: "stray", with: numberValue(4, of: "stray"))

    // From format 4 on the accounts are listed from originator_numbers, so the stray
    // one is among them.
    let problems = try Ledger.open(directory: directory).verify().problems
    #expect(
      problems == [
        "account numbers: originator_ids stores nothing under number 4 of \"stray\"",
        "account numbers: originator_ids has 3 entries, but 4 accounts have numbers up to 4",
      ])
  }

  @Test("full replay stops at a number given twice")
  func numberGivenTwiceInReplay() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-numbers-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let ledger = try Ledger.create(directory: directory, playbook: .builtInDefault)
    var events: [NumberedEvent] = []
    PortfolioGenerator(accounts: 2, seed: 9).generate { event in
      events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
    }
    let first = events[0].incoming.event.account
    _ = try ledger.append(events.filter { $0.incoming.event.account == first })
    // Both entries of number 1 lost, so the next new account gets number 1 again.
    do {
      let store = try EventStore(directory: directory)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      for (database, key) in [
        (try #require(store.databases.originatorNumbers), Array(first.value.utf8)),
        (try #require(store.databases.originatorIDs), [0, 0, 0, 1]),
      ] {
        var keyValue = key.withUnsafeBytes {
          MDB_val(mv_size: $0.count, mv_data: UnsafeMutableRawPointer(mutating: $0.baseAddress))
        }
        #expect(mdb_del(transaction.handle, database, &keyValue, nil) == 0)
      }
      try transaction.commit()
    }
    let reopened = try Ledger.open(directory: directory)
    _ = try reopened.append(events.filter { $0.incoming.event.account != first })

    let point = ReplayPoint(asOf: .maximum, knownAt: .maximum)
    let rules = try reopened.replayRules(at: point)
    let error = #expect(throws: LedgerError.self) {
      try reopened.forEachProjection(at: point, rules: rules, threads: 1) { _ in }
    }
    #expect(
      error?.message.contains("carries account number 1") == true, "\(String(describing: error))")
  }

  @Test("a damaged number is named")
  func damagedNumber() throws {
    let (directory, accounts) = try ledgerWithThreeAccounts()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try overwriteNumber(in: directory, of: accounts[1], with: numberValue(2, of: accounts[1]) ^ 1)

    let problems = try Ledger.open(directory: directory).verify().problems
    #expect(problems.contains { $0.contains("fails its CRC-32C check") }, "\(problems)")
  }
}

@Suite("Index runs in verify")
struct IndexRunVerifyTests {
  @Test("a lost run is named once")
  func lostRunNamedOnce() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-runs-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let ledger = try Ledger.create(directory: directory, playbook: .builtInDefault)
    var events: [NumberedEvent] = []
    PortfolioGenerator(accounts: 3, seed: 9).generate { event in
      events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
    }
    // Two batches give two runs of level 0.
    let half = events.count / 2
    _ = try ledger.append(Array(events[..<half]))
    _ = try ledger.append(Array(events[half...]))
    do {
      let store = try EventStore(directory: directory)
      let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
      let runs = try #require(store.databases.runs)
      var key: (UInt8, UInt8) = (0, 1)
      try withUnsafeBytes(of: &key) { try transaction.delete(in: runs, key: $0) }
      try transaction.commit()
    }

    // The log is read to its end, and the directory damage is named before the slot
    // that it no longer lists.
    let report = try Ledger.open(directory: directory).verify()
    #expect(report.records == events.count)
    let directoryDamage = report.problems.filter { $0.contains("the index runs list ") }
    #expect(directoryDamage.count == 1, "\(report.problems)")
    #expect(report.problems.first?.hasPrefix("index runs: the index runs list ") == true)
    #expect(!report.problems.contains { $0.hasPrefix("account") }, "\(report.problems)")
    #expect(
      report.problems.contains { $0.hasPrefix("index runs: event_ids.0.1 contains ") },
      "\(report.problems)")
  }
}

@Suite("Index run merge in the ledger")
struct LedgerRunMergeTests {
  @Test("format 3 ledger reports its format")
  func formatThreeReported() throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("tierline-merge-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 3
    _ = try EventStore(directory: directory, options: options)
    let ledger = try Ledger.open(directory: directory)
    try ledger.activate(.builtInDefault, effectiveAt: .minimum)

    let merge = try ledger.mergeIndexRuns()
    #expect(merge.storageFormat == 3)
    #expect(merge.runsBefore == 0)
    #expect(merge.events == nil)
    #expect(!merge.merged)
  }
}
