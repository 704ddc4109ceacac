import TierlineEvents
import TierlineStore

/// The report of `verify`: what it checked and every problem it found.
public struct VerifyReport: Sendable {
  /// Records read from the log.
  public var records: UInt64 = 0
  /// Accounts in the account index.
  public var accounts: Int = 0
  /// The ledger's storage format version.
  public var storageFormat: UInt64 = 0
  /// The index runs that the directory lists, or nil before storage format 4 and when
  /// the directory could not be read.
  public var indexRuns: Int?
  /// One plain sentence per problem, naming the position, id or account.
  public var problems: [String] = []

  /// Whether the ledger is intact.
  public var isIntact: Bool { problems.isEmpty }
}

extension Ledger {
  /// The maximum number of problems listed before verification stops.
  public static let maximumListedProblems = 100

  /// The last problem listed when LMDB met a damaged page and ended the read.
  static let stoppedByLMDB =
    "verify stopped here: LMDB found a damaged page and ends the read there, so later "
    + "checks did not run"

  /// Checks the ledger's integrity. It compares the last position and recorded time in
  /// meta with the log's last record, and checks every record's checksum and encoding,
  /// positions without gaps and `recorded_at` never decreasing. It checks that every
  /// event id is indexed at its record, that every account's index entries match its
  /// events in the log, from storage format 3 on that each account's number matches the
  /// number its records carry, and that every stored playbook is readable.
  public func verify() throws(LedgerError) -> VerifyReport {
    // A damaged last position or last recorded time in meta would make every query miss
    // records or stop, so it is listed first, and the log is then read to its last
    // record.
    var headProblem: String?
    do {
      try store.checkLogHead()
    } catch  where error.code == .corrupt {
      headProblem = error.message
    } catch {
      throw LedgerError(error)
    }
    // The last recorded time in meta, and the newest record's, for the check against the
    // rules activations after the read.
    var lastRecordedAt: Int64 = 0
    var newestRecordedAt: Int64 = 0
    var report = try storeCall {
      try store.read(checkingHead: false) { transaction in
        var report = VerifyReport()
        report.storageFormat = try transaction.storageFormatVersion()
        lastRecordedAt = transaction.lastRecordedAt
        let headIsDamaged = headProblem != nil
        if let headProblem { report.problems.append(headProblem) }
        var countsByAccount: [[UInt8]: UInt64] = [:]
        // From storage format 3 on, the number that the first readable record of each
        // account carries. Every other record of the account must carry the same.
        var numbersByAccount: [[UInt8]: UInt32] = [:]
        let numbered = transaction.numbersOriginators
        // A sum of one hash per (occurred time, position), per account, so the index
        // entries can be compared with the log without holding them all.
        var digestsByAccount: [[UInt8]: UInt64] = [:]
        var previousRecordedAt = Int64.min
        var expectedPosition: UInt64 = 1
        // Damaged records cannot be attributed to an account, so account counts that
        // differ from the index may follow from them.
        var unreadableRecords = 0
        // From format 4 on, damage to the directory of index runs or to a filter, which
        // fails every event-id lookup.
        var runDirectoryDamage: String?
        do {
          try transaction.loadIndexRuns()
        } catch let error as StoreError where error.code == .corrupt && error.lmdbCode == nil {
          runDirectoryDamage = error.message
          report.problems.append("index runs: \(error.message)")
        } catch let error as StoreError where error.code == .corrupt {
          // LMDB ends a transaction in which it met a damaged page.
          report.problems.append("index runs: \(error.description)")
          report.problems.append(Self.stoppedByLMDB)
          return report
        }
        let last =
          headIsDamaged
          ? max(transaction.lastPosition, (try? transaction.lastLoggedPosition()) ?? 0)
          : transaction.lastPosition

        func problem(_ text: String) -> Bool {
          report.problems.append(text)
          return report.problems.count < Ledger.maximumListedProblems
        }

        while expectedPosition <= last {
          var resumeAfter: UInt64?
          do {
            try transaction.scan(from: expectedPosition) { view in
              report.records += 1
              resumeAfter = view.position
              if view.position != expectedPosition {
                guard problem("log: position \(expectedPosition) is missing") else { return false }
              }
              expectedPosition = view.position + 1
              if view.recordedAt < previousRecordedAt {
                guard
                  problem(
                    "log: position \(view.position) has recorded_at before the previous record")
                else { return false }
              }
              previousRecordedAt = view.recordedAt
              newestRecordedAt = max(newestRecordedAt, view.recordedAt)
              let event: Event
              do {
                event = try EventCodec.decode(view.content)
              } catch {
                unreadableRecords += 1
                return problem("log: position \(view.position) does not decode: \(error)")
              }
              if event.occurredAt.microseconds != view.occurredAt {
                guard problem("log: position \(view.position) has two different occurred_at values")
                else { return false }
              }
              let id = Array(event.id.utf8)
              // Damage to the runs' directory would fail every lookup; it is listed once.
              guard runDirectoryDamage == nil else { return true }
              let indexed: UInt64?
              do {
                indexed = try transaction.position(ofEventID: id)
              } catch let error as StoreError where error.code == .corrupt && error.lmdbCode == nil
              {
                return problem("event id index: \(error.message)")
              }
              if indexed != view.position {
                let found = indexed.map { "position \($0)" } ?? "nothing"
                guard
                  problem(
                    "event id index: \"\(event.id)\" points to \(found), not \(view.position)")
                else { return false }
              }
              let account = Array(event.account.value.utf8)
              countsByAccount[account, default: 0] += 1
              if !numbered, view.originatorNumber != 0 {
                guard
                  problem(
                    "log: position \(view.position) carries account number "
                      + "\(view.originatorNumber), which this ledger's storage format has not")
                else { return false }
              } else if numbered {
                let first = numbersByAccount[account] ?? view.originatorNumber
                numbersByAccount[account] = first
                if view.originatorNumber != first {
                  guard
                    problem(
                      "log: position \(view.position) carries account number "
                        + "\(view.originatorNumber), but an earlier record of \"\(event.account.value)\" "
                        + "carries \(first)")
                  else { return false }
                }
              }
              digestsByAccount[account, default: 0] &+= entryDigest(
                occurredAt: view.occurredAt, position: view.position,
                copyChecksum: transaction.indexCopies(view) ? view.checksum : nil)
              return true
            }
          } catch let error as StoreError where error.code == .corrupt {
            // LMDB ends a transaction in which it met a damaged page, so every later read
            // of this snapshot would fail with `MDB_BAD_TXN` and hide the damage found.
            if error.lmdbCode != nil {
              report.problems.append(error.description)
              report.problems.append(Self.stoppedByLMDB)
              return report
            }
            // The damaged record was checked too, so it counts among the records.
            report.records += 1
            unreadableRecords += 1
            guard problem(error.message) else { break }
            // Skip the damaged record and go on with the next one.
            expectedPosition = (resumeAfter ?? expectedPosition - 1) + 2
            continue
          }
          break
        }

        // The account that has each number, to find a number given twice.
        var accountsByNumber: [UInt32: [UInt8]] = [:]
        // Damage that LMDB met while reading the index or the numbers. LMDB then ends the
        // transaction, so the remaining checks cannot run.
        var lmdbDamage: String?
        // Lists a damaged entry of `part` and returns whether the check goes on.
        func listDamage(_ error: StoreError, in part: String) -> Bool {
          guard error.lmdbCode == nil else {
            lmdbDamage = "\(part): \(error.description)"
            return false
          }
          return problem("\(part): \(error.message)")
        }
        do {
          // Without an intact directory of runs every account's entries would be listed
          // as damaged; the run check below names the runs instead.
          if runDirectoryDamage != nil { throw SkippedAccountCheck() }
          try transaction.forEachOriginator { originator, version in
            report.accounts += 1
            let key = Array(originator)
            let logged = countsByAccount.removeValue(forKey: key) ?? 0
            let name = String(decoding: key, as: UTF8.self)
            if numbered {
              let stored: UInt32?
              do {
                stored = try transaction.originatorNumber(of: key)
              } catch let error as StoreError where error.code == .corrupt {
                guard listDamage(error, in: "account numbers") else { return false }
                stored = nil
              }
              let carried = numbersByAccount.removeValue(forKey: key)
              // From format 4 on, accounts numbered past what a record header can carry
              // have a stored number while their records carry 0.
              let expected = stored.map { $0 <= ReadTransaction.largestNumberInRecords ? $0 : 0 }
              if let carried, carried != (expected ?? 0) {
                guard
                  problem(
                    "account numbers: the records of \"\(name)\" carry number \(carried), but "
                      + "originator_numbers stores " + (stored.map { "\($0)" } ?? "none"))
                else { return false }
              }
              if let stored {
                let mapped: [UInt8]?
                do {
                  mapped = try transaction.originator(numbered: stored)
                } catch let error as StoreError where error.code == .corrupt {
                  guard listDamage(error, in: "account numbers") else { return false }
                  mapped = key
                }
                if mapped != key {
                  guard
                    problem(
                      "account numbers: originator_ids stores "
                        + (mapped.map { "\"\(String(decoding: $0, as: UTF8.self))\"" } ?? "nothing")
                        + " under number \(stored) of \"\(name)\"")
                  else { return false }
                }
                if let other = accountsByNumber.updateValue(key, forKey: stored) {
                  guard
                    problem(
                      "account numbers: \"\(name)\" and \"\(String(decoding: other, as: UTF8.self))\" "
                        + "both have number \(stored)")
                  else { return false }
                }
              }
            }
            if logged != version {
              let unread =
                unreadableRecords == 0
                ? ""
                : " it can read (\(unreadableRecords) damaged log record"
                  + (unreadableRecords == 1 ? " is" : "s are") + " listed above)"
              return problem(
                "account index: \"\(name)\" has \(version) entries but the log has \(logged) events"
                  + unread)
            }
            var indexed: UInt64 = 0
            do {
              try transaction.forEachIndexValue(of: key) { value in
                // A format 2 entry is checked against its record as a point query checks
                // it, which reads the log only for the rare record without a copy.
                var copyChecksum: UInt32?
                if value.isChecked {
                  let record = try transaction.checkedRecord(value, of: key)
                  copyChecksum = value.copy == nil ? nil : record.checksum
                }
                indexed &+= entryDigest(
                  occurredAt: value.occurredAt, position: value.position,
                  copyChecksum: copyChecksum)
                return true
              }
            } catch let error as StoreError where error.code == .corrupt {
              return listDamage(error, in: "account index")
            }
            guard indexed != digestsByAccount[key] ?? 0 else { return true }
            // Find the entries that disagree with the log, to name them.
            var named = false
            var keepGoing = true
            try transaction.forEachIndexValue(of: key) { value in
              let occurredAt = value.occurredAt
              let position = value.position
              let record = try transaction.record(at: position)
              let recordAccount = try record.map { try EventCodec.accountBytes(in: $0.content) }
              let copyChecksum = try value.copy.map { copy throws(StoreError) in
                try transaction.decodeCopy(copy, position: position).checksum
              }
              guard let record, recordAccount.map({ Array($0) }) == key,
                record.occurredAt == occurredAt,
                value.matches(recordChecksum: record.checksum),
                copyChecksum == (transaction.indexCopies(record) ? record.checksum : nil)
              else {
                named = true
                keepGoing = problem(
                  "account index: \"\(name)\" has an entry (occurred \(occurredAt) µs, "
                    + "position \(position)) that does not match the log")
                return keepGoing
              }
              return true
            }
            if !named {
              keepGoing = problem(
                "account index: \"\(name)\" has entries that do not match its events in the log")
            }
            return keepGoing
          }
        } catch let error as StoreError where error.code == .corrupt && error.lmdbCode != nil {
          lmdbDamage = "account index: \(error.description)"
        } catch is SkippedAccountCheck {
        } catch let error as StoreError where error.code == .corrupt && transaction.keepsIndexRuns {
          // From format 4 on the accounts come from originator_numbers and their counts
          // from the index runs, so damage to either ends the list.
          _ = problem("account index: \(error.message)")
        }
        if lmdbDamage == nil, report.problems.count < Ledger.maximumListedProblems {
          do {
            let runs = try transaction.checkIndexRuns(
              limit: Ledger.maximumListedProblems - report.problems.count)
            report.problems += runs.problems.map { "index runs: \($0)" }
            report.indexRuns = runs.runs
            if transaction.keepsIndexRuns, runs.problems.isEmpty,
              runs.eventIDEntries != UInt64(report.records)
            {
              _ = problem(
                "event id index: contains \(runs.eventIDEntries) entries for \(report.records) "
                  + "records in the log")
            }
          } catch let error as StoreError where error.code == .corrupt && error.lmdbCode != nil {
            lmdbDamage = "index runs: \(error.description)"
          }
        }
        if let lmdbDamage {
          report.problems.append(lmdbDamage)
          report.problems.append(Self.stoppedByLMDB)
          return report
        }
        if numbered, runDirectoryDamage == nil,
          report.problems.count < Ledger.maximumListedProblems
        {
          // Numbers run from 1 without gaps, so with no number given twice, every one
          // lies in 1...count exactly when the count matches.
          let counts = try transaction.numberedOriginatorCounts()
          let largest = accountsByNumber.keys.max() ?? 0
          for (database, count) in [
            ("originator_numbers", counts.numbers), ("originator_ids", counts.ids),
          ]
          where count != accountsByNumber.count || Int(largest) != count {
            _ = problem(
              "account numbers: \(database) has \(count) entries, but \(accountsByNumber.count) "
                + "accounts have numbers up to \(largest)")
          }
        }
        for (key, count) in countsByAccount.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) })
        {
          let name = String(decoding: key, as: UTF8.self)
          guard problem("account index: \"\(name)\" is missing; the log has \(count) events") else {
            break
          }
        }
        return report
      }
    }
    // Reading every stored playbook checks its checksum (format 2) and that it parses.
    do {
      let stored = try activations()
      // Appends and activations are the only writes that take a recorded time, so the
      // last one in meta is the newer of the newest record's and the newest activation's.
      // A later one would date every later write wrongly.
      let newestActivation = stored.map(\.activatedAt.microseconds).max() ?? 0
      let newestWrite = max(newestRecordedAt, newestActivation)
      // With damage listed already, the newest record may be among the unread ones.
      if report.isIntact, lastRecordedAt > newestWrite {
        report.problems.append(
          "last_recorded_at in meta is \(lastRecordedAt) µs since the epoch, later than the "
            + "newest write: the newest record was recorded at \(newestRecordedAt) µs and the "
            + "newest rules activation at \(newestActivation) µs")
      }
    } catch {
      if report.problems.count < Ledger.maximumListedProblems {
        report.problems.append("rules: \(error.messageWithoutAdvice)")
      }
    }
    return report
  }
}

/// Returns a 64-bit hash of one account-index entry and the checksum of its record
/// copy, when it has one; `verify` sums them per account.
private func entryDigest(occurredAt: Int64, position: UInt64, copyChecksum: UInt32?)
  -> UInt64
{
  var combined = UInt64(bitPattern: occurredAt) &* 0x9E37_79B9_7F4A_7C15 ^ position
  if let copyChecksum {
    combined = (combined &* 0xBF58_476D_1CE4_E5B9) ^ (UInt64(copyChecksum) | 1 << 32)
  }
  var mixer = SplitMix64(state: combined)
  return mixer.next()
}

/// Ends the per-account check of `verify` early, when damage to the directory of index
/// runs would fail every account the same way.
private struct SkippedAccountCheck: Error {}
