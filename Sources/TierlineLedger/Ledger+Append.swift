import TierlineEvents
import TierlinePlaybook
import TierlineStore

/// An incoming event with the input line it came from.
public struct NumberedEvent: Sendable {
  /// The 1-based line number in the input.
  public var line: Int
  /// The decoded event and its optional expected version.
  public var incoming: IncomingEvent

  /// Creates a numbered event.
  public init(line: Int, incoming: IncomingEvent) {
    self.line = line
    self.incoming = incoming
  }
}

/// The outcome of one append: the events stored and skipped.
public struct AppendSummary: Sendable, Equatable {
  /// Events newly stored.
  public var appended: Int
  /// Events skipped because the same id with identical content was already stored.
  public var duplicates: Int
  /// The transaction time stamped on the batch.
  public var recordedAt: Timestamp
  /// Global positions of the first and last stored event, when any was stored.
  public var positions: ClosedRange<UInt64>?
}

extension Ledger {
  /// The maximum number of events in one append. The caller splits larger inputs.
  public static let maximumBatchEvents = 1_000_000

  /// Appends a batch of events atomically: all of them are stored, or none.
  ///
  /// Each event is first checked against the rules in force at its occurred time
  /// (tiers must exist). An event whose id is stored with identical content is counted
  /// as a duplicate and skipped.
  /// - Throws: `LedgerError` of kind `.invalidInput` naming the line and field of the
  ///   first invalid event, or the reused id; `.conflict` when an expected version
  ///   does not match the account's version. Nothing is stored in either case.
  public func append(_ batch: [NumberedEvent], now: Timestamp = .now) throws(LedgerError)
    -> AppendSummary
  {
    guard batch.count <= Ledger.maximumBatchEvents else {
      throw LedgerError(
        .invalidInput,
        "batch of \(batch.count) events is larger than the maximum of "
          + "\(Ledger.maximumBatchEvents): split the input with --batch-size")
    }
    var records: [NewRecord] = []
    records.reserveCapacity(batch.count)
    for item in batch {
      let event = item.incoming.event
      records.append(
        NewRecord(
          eventID: Array(event.id.utf8), originator: Array(event.account.value.utf8),
          occurredAt: event.occurredAt.microseconds, content: EventCodec.encode(event),
          expectedVersion: item.incoming.expectedVersion))
    }

    let report = try storeChecked(records, of: batch, now: now)
    let positions = report.appendedPositions.first.flatMap { first in
      report.appendedPositions.last.map { first...$0 }
    }
    return AppendSummary(
      appended: report.appendedPositions.count, duplicates: report.duplicateIndexes.count,
      recordedAt: Timestamp(microseconds: report.recordedAt), positions: positions)
  }

  /// Checks the batch's tiers against the stored rules and stores it, but only if no
  /// activation was added in between, so a concurrent `rules activate` cannot slip a
  /// tier past either check. After such an activation it checks and tries again.
  private func storeChecked(_ records: [NewRecord], of batch: [NumberedEvent], now: Timestamp)
    throws(LedgerError) -> AppendReport
  {
    while true {
      let activations = try self.activations()
      for item in batch { try checkTiers(item, activations: activations) }
      do {
        // Activations are the only writes besides appends that take a recorded time.
        return try store.append(
          records, now: now.microseconds, expectingAuxCount: (.rules, activations.count),
          newestOtherWrite: activations.map(\.activatedAt.microseconds).max() ?? 0)
      } catch  where error.code == .auxChanged {
        continue
      } catch {
        throw describeAppendFailure(error, batch: batch)
      }
    }
  }

  func checkTiers(_ item: NumberedEvent, activations: [RulesActivation])
    throws(LedgerError)
  {
    let event = item.incoming.event
    let tier: String
    let field: String
    var amount: Money?
    switch event.payload {
    case .accountLanded(let landed):
      tier = landed.tier
      field = "data.tier"
      amount = landed.acv
    case .tierChanged(let change):
      tier = change.to
      field = "data.to"
      amount = change.acv
    case .expansionOffered(let offer):
      tier = offer.to
      field = "data.to"
    default:
      return
    }
    guard let rules = activationInForce(activations, at: event.occurredAt) else { return }
    if let amount, amount.currency != rules.playbook.currency {
      // ACVs of one ledger are compared and subtracted, so they share the rules' currency.
      throw LedgerError(
        .invalidInput,
        "line \(item.line): data.currency: \(amount.currency) differs from the currency "
          + "\(rules.playbook.currency) of the rules in force at \(event.occurredAt.rfc3339) "
          + "(\(rules.version)); convert the amount; nothing of this batch was stored",
        line: item.line, field: "data.currency")
    }
    // A replay folds the event under the rules in force at its as-of, which may be any
    // later activation too, so each of those must know the tier. An activation replaced
    // by a later one with the same effective time applies to no replay that can see this
    // event, which is recorded after both. The indices are found without building a list,
    // because every landing, tier change and offer passes here.
    let laterRules = activations.indices.lazy.filter { index in
      let later = activations[index]
      let replaced =
        index + 1 < activations.count && activations[index + 1].effectiveAt == later.effectiveAt
      return later.effectiveAt > event.occurredAt && !replaced
    }.map { activations[$0] }
    if rules.playbook.tier(tier) == nil {
      // Only a tier that all of these rules know is worth guessing.
      let known = rules.playbook.tiers.map(\.id).filter { id in
        laterRules.allSatisfy { $0.playbook.tier(id) != nil }
      }
      let guesses = suggestedNames(for: tier, among: known, minimumPrefix: 3)
      let hint =
        guesses.isEmpty
        ? "" : " (did you mean \(guesses.map(jsonQuoted).joined(separator: " or "))?)"
      throw unknownTier(
        tier, item: item, field: field,
        "\(hint); the rules in force at \(event.occurredAt.rfc3339) (\(rules.version)) have "
          + tierList(rules))
    }
    for later in laterRules where later.playbook.tier(tier) == nil {
      throw unknownTier(
        tier, item: item, field: field,
        " for the rules in force from \(later.effectiveAt.rfc3339) (\(later.version)), which "
          + "fold every earlier event too; they have \(tierList(later))")
    }
  }

  /// Returns the error for an event whose tier some rules lack; `rules` names them.
  private func unknownTier(
    _ tier: String, item: NumberedEvent, field: String, _ rules: String
  ) -> LedgerError {
    LedgerError(
      .invalidInput,
      "line \(item.line): \(field): unknown tier \"\(tier)\"\(rules); nothing of this batch "
        + "was stored",
      line: item.line, field: field)
  }

  /// Returns the tier ids of `rules`, joined by commas.
  private func tierList(_ rules: RulesActivation) -> String {
    rules.playbook.tiers.map(\.id).joined(separator: ", ")
  }

  private func describeAppendFailure(_ error: StoreError, batch: [NumberedEvent]) -> LedgerError {
    let item = error.batchIndex.flatMap { batch.indices.contains($0) ? batch[$0] : nil }
    let linePrefix = item.map { "line \($0.line): " } ?? ""
    switch error.code {
    case .idConflict:
      let id = item?.incoming.event.id ?? error.eventID.map { String(decoding: $0, as: UTF8.self) }
      // An earlier event of the batch with this id has other content, because either the
      // store compared the two, or the earlier one matched the stored event and this one
      // does not. The message names that line, since the id may not be stored at all.
      if let item, let index = error.batchIndex,
        let earlier = firstEvent(withIDOf: item, in: batch.prefix(index))
      {
        return LedgerError(
          .invalidInput,
          linePrefix + "id: event id \(jsonQuoted(item.incoming.event.id)) is already used on "
            + "line \(earlier.line) by an event with other content; a correction needs a new "
            + "event with a new id; nothing of this batch was stored",
          line: item.line, field: "id", underlying: error)
      }
      return LedgerError(
        .invalidInput,
        linePrefix + "id: event id \"\(id ?? "?")\" is already used by an event with other "
          + "content; a correction needs a new event with a new id; nothing of this batch was stored",
        line: item?.line, field: "id", underlying: error)
    case .versionConflict:
      let account = item?.incoming.event.account.value ?? "?"
      let expected = error.expectedVersion.map(String.init) ?? "?"
      let actual = error.actualVersion.map(String.init) ?? "?"
      // The version counts the earlier events of this batch too, which a reader of the
      // stored account alone would not expect.
      let index = error.batchIndex ?? 0
      let earlier = batch.prefix(index).filter { $0.incoming.event.account.value == account }
      let counted =
        earlier.isEmpty
        ? ""
        : " (counting \(earlier.count) earlier line\(earlier.count == 1 ? "" : "s") of this batch)"
      // An earlier line of this batch expected a version of the same account, and it
      // held. Inside one transaction no other writer comes between, so the two expected
      // versions contradict each other, and a retry fails the same way: an input error.
      if let settled = error.settledByBatchIndex, batch.indices.contains(settled) {
        return LedgerError(
          .invalidInput,
          linePrefix + "expected_version: account \"\(account)\" is at version \(actual)"
            + "\(counted), not \(expected), which line \(batch[settled].line) of this batch "
            + "fixes by its own expected version; a retry fails the same way, so correct the "
            + "expected versions; nothing of this batch was stored",
          line: item?.line, field: "expected_version", underlying: error)
      }
      return LedgerError(
        .conflict,
        linePrefix + "expected_version: account \"\(account)\" is at version \(actual)\(counted), "
          + "not \(expected); read the account again and retry; nothing of this batch was stored",
        line: item?.line, field: "expected_version", underlying: error)
    default:
      return LedgerError(error)
    }
  }
}

/// Returns the first of `events` with the id of `item`, compared byte for byte as the
/// store compares ids.
private func firstEvent(withIDOf item: NumberedEvent, in events: ArraySlice<NumberedEvent>)
  -> NumberedEvent?
{
  let id = item.incoming.event.id.utf8
  return events.first { $0.incoming.event.id.utf8.elementsEqual(id) }
}

/// Returns the activation in force at `time` among `activations`, which are ordered by
/// effective time. When none is effective yet, it returns the earliest.
func activationInForce(_ activations: [RulesActivation], at time: Timestamp) -> RulesActivation? {
  activations.last { $0.effectiveAt <= time } ?? earliestInForce(activations)
}
