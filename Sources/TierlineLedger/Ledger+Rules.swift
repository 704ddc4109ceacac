import Foundation
import TierlineEvents
import TierlinePlaybook
import TierlineStore

/// One stored activation of a playbook: from `effectiveAt` on (valid time), as known
/// from `activatedAt` on (transaction time).
public struct RulesActivation: Hashable, Sendable {
  /// The playbook's content-hash version.
  public var version: String
  /// When the rules start to apply to events and projections.
  public var effectiveAt: Timestamp
  /// When the ledger stored the activation.
  public var activatedAt: Timestamp
  /// The playbook itself.
  public var playbook: Playbook
}

extension Ledger {
  /// Returns the canonical JSON of `playbook`, which the ledger stores.
  /// - Throws: `.invalidInput` when it is larger than the store takes.
  static func storablePlaybook(_ playbook: Playbook) throws(LedgerError) -> [UInt8] {
    let value = playbook.canonicalJSON()
    guard value.count <= EventStore.maximumAuxValueSize else {
      throw LedgerError(
        .invalidInput,
        "the playbook takes \(value.count) bytes as canonical JSON, more than the "
          + "\(EventStore.maximumAuxValueSize) bytes a ledger stores; remove unused tiers, "
          + "metrics or text")
    }
    return value
  }

  /// Stores an activation of `playbook` that is in force from `effectiveAt`.
  ///
  /// Activations are never removed. A later activation with the same effective time
  /// replaces an earlier one for queries known after it.
  public func activate(
    _ playbook: Playbook, effectiveAt: Timestamp, now: Timestamp = .now
  ) throws(LedgerError) {
    let existing = try activations()
    if let first = existing.first {
      try checkCurrency(of: playbook, against: first.playbook)
    }
    // A replay folds every event before its as-of under the rules in force then, so the
    // new rules must know every tier named before the next later activation takes over.
    let nextEffective = existing.map(\.effectiveAt).filter { $0 > effectiveAt }.min()
    let checkedThrough = try checkTiers(
      of: playbook, before: nextEffective, action: "activate these rules")
    let value = try Self.storablePlaybook(playbook)
    try storeCall {
      try store.write { transaction in
        // The check above read the log in its own transaction, so the events appended
        // since are checked here, while this transaction keeps other writers out.
        var unknown: (event: Event, tier: String)?
        try transaction.scanHeaders(
          from: checkedThrough + 1, through: try transaction.lastPosition()
        ) { record in
          unknown = try Self.unknownTier(
            in: record, playbook: playbook, before: nextEffective?.microseconds ?? .max,
            recordedBy: .max)
          return unknown == nil
        }
        if let unknown {
          throw Self.unknownTierError(unknown, playbook: playbook, action: "activate these rules")
        }
        // The activation takes its time from the sequence appends use, so a replay known
        // at the latest stamp includes it.
        let activatedAt = try transaction.stampTransactionTime(now: now.microseconds)
        let key = activationKey(
          effectiveAt: effectiveAt, activatedAt: Timestamp(microseconds: activatedAt))
        try transaction.putAux(.rules, key: key, value: value)
      }
    }
  }

  /// Returns every activation, ordered by effective time and then activation time.
  public func activations() throws(LedgerError) -> [RulesActivation] {
    try storeCall {
      var found: [RulesActivation] = []
      var failure: LedgerError?
      // The rules do not depend on the log, so a damaged log head in meta, which
      // `verify` lists on its own, does not stop reading them.
      try store.read(checkingHead: false) { transaction in
        try transaction.forEachAux(.rules) { key, value in
          guard key.count == 16 else {
            failure = LedgerError(.storage, "a rules activation key has \(key.count) bytes, not 16")
            return false
          }
          let effective = decodeOrderedInt64(key, at: 0)
          let activated = decodeOrderedInt64(key, at: 8)
          do {
            let (playbook, version) = try playbookCache.playbook(json: Array(value))
            found.append(
              RulesActivation(
                version: version, effectiveAt: Timestamp(microseconds: effective),
                activatedAt: Timestamp(microseconds: activated), playbook: playbook))
          } catch {
            failure = LedgerError(
              .storage,
              "a stored playbook could not be read: \(error)" + LedgerError.damageAdvice)
            return false
          }
          return true
        }
      }
      if let failure { throw failure }
      return found
    }
  }

  /// Returns the activation in force at valid time `asOf`, as known at transaction time
  /// `knownAt`.
  ///
  /// When no activation is effective yet at `asOf`, the earliest known one applies, so
  /// events before the first effective time are still judged by some rules. When
  /// `knownAt` is before the first activation, when the ledger held no events either,
  /// the first activation applies, so such a view is empty rather than an error.
  public func rules(asOf: Timestamp, knownAt: Timestamp) throws(LedgerError) -> RulesActivation {
    let all = try activations()
    let activatedFirst = all.min { $0.activatedAt < $1.activatedAt }
    let known = all.filter { $0.activatedAt <= knownAt }
    if known.isEmpty, let activatedFirst { return activatedFirst }
    let inForce = known.filter { $0.effectiveAt <= asOf }.max { lhs, rhs in
      (lhs.effectiveAt, lhs.activatedAt) < (rhs.effectiveAt, rhs.activatedAt)
    }
    guard let chosen = inForce ?? earliestInForce(known) else {
      throw LedgerError(.notFound, "no rules were activated as known at \(knownAt.rfc3339)")
    }
    return chosen
  }
}

/// Encodes a signed value so that byte order equals numeric order: big-endian with the
/// sign bit flipped.
func encodeOrderedInt64(_ value: Int64, into bytes: inout [UInt8]) {
  let bits = UInt64(bitPattern: value) ^ (1 << 63)
  for shift in stride(from: 56, through: 0, by: -8) {
    bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
  }
}

/// Decodes a value written by `encodeOrderedInt64`.
func decodeOrderedInt64(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> Int64 {
  var bits: UInt64 = 0
  for index in offset..<(offset + 8) {
    bits = bits << 8 | UInt64(bytes[index])
  }
  return Int64(bitPattern: bits ^ (1 << 63))
}

func activationKey(effectiveAt: Timestamp, activatedAt: Timestamp) -> [UInt8] {
  var key: [UInt8] = []
  key.reserveCapacity(16)
  encodeOrderedInt64(effectiveAt.microseconds, into: &key)
  encodeOrderedInt64(activatedAt.microseconds, into: &key)
  return key
}

extension Ledger {
  /// Rejects rules whose currency differs from the ledger's: the ACVs of the events were
  /// checked against the ledger's currency, and no amount is ever converted.
  /// Throws `.invalidInput` when an event stored with an occurred time before `before`
  /// (every event when nil) lands on, changes to or offers a tier that `playbook` lacks.
  ///
  /// Folded under such rules, those accounts would sit on a tier without limits or
  /// transitions, and the metrics would leave them out of the tier shares.
  /// - Parameters:
  ///   - knownAt: leave out events recorded after it; nil checks every stored event.
  ///   - from: the first log position to check.
  /// - Returns: the last log position checked.
  @discardableResult
  public func checkTiers(
    of playbook: Playbook, before: Timestamp?, knownAt: Timestamp? = nil, from: UInt64 = 1,
    action: String
  ) throws(LedgerError) -> UInt64 {
    let limit = before?.microseconds ?? .max
    let recordedLimit = knownAt?.microseconds ?? .max
    var unknown: (event: Event, tier: String)?
    var checkedThrough: UInt64 = from - 1
    try storeCall {
      try store.read { transaction in
        checkedThrough = transaction.lastPosition
        try transaction.scanHeaders(from: from, through: checkedThrough) { record in
          unknown = try Self.unknownTier(
            in: record, playbook: playbook, before: limit, recordedBy: recordedLimit)
          return unknown == nil
        }
      }
    }
    guard let unknown else { return checkedThrough }
    throw Self.unknownTierError(unknown, playbook: playbook, action: action)
  }

  /// Throws `.invalidInput` when an event visible at `point` names a tier that
  /// `playbook` lacks, as for rules that a replay at `point` would fold under.
  public func checkTiers(of playbook: Playbook, at point: ReplayPoint, action: String)
    throws(LedgerError)
  {
    try checkTiers(
      of: playbook, before: Timestamp(microseconds: point.asOf.microseconds &+ 1),
      knownAt: point.knownAt, action: action)
  }

  /// Returns the event of `record` and its tier when the record occurred before `before`,
  /// was recorded by `recordedBy` (both µs) and names a tier that `playbook` lacks.
  static func unknownTier(
    in record: StoredRecord, playbook: Playbook, before: Int64, recordedBy: Int64
  ) throws -> (event: Event, tier: String)? {
    guard record.occurredAt < before, record.recordedAt <= recordedBy else { return nil }
    // Usage records, most of a ledger, name no tier.
    guard EventCodec.usageFields(in: record.uncheckedContent) == nil else { return nil }
    let event = try EventCodec.decode(try record.checked().content)
    let tier: String
    switch event.payload {
    case .accountLanded(let landed): tier = landed.tier
    case .tierChanged(let change): tier = change.to
    case .expansionOffered(let offer): tier = offer.to
    default: return nil
    }
    return playbook.tier(tier) == nil ? (event, tier) : nil
  }

  /// Returns the error for an event whose tier the playbook lacks.
  static func unknownTierError(
    _ unknown: (event: Event, tier: String), playbook: Playbook, action: String
  ) -> LedgerError {
    let known = playbook.tiers.map(\.id).joined(separator: ", ")
    return LedgerError(
      .invalidInput,
      "cannot \(action): event \"\(unknown.event.id)\" of account "
        + "\"\(unknown.event.account.value)\" at \(unknown.event.occurredAt.rfc3339) names tier "
        + "\"\(unknown.tier)\", which the playbook lacks (it has \(known)); keep the tier in "
        + "the playbook",
      field: "tiers")
  }

  func checkCurrency(of playbook: Playbook, against existing: Playbook) throws(LedgerError) {
    guard playbook.currency != existing.currency else { return }
    throw LedgerError(
      .invalidInput,
      "the playbook's currency \(playbook.currency) differs from the ledger's currency "
        + "\(existing.currency): amounts are never converted, so use rules in "
        + "\(existing.currency)",
      field: "currency")
  }
}

/// Playbooks already parsed, with their content-hash versions, keyed by their canonical
/// JSON; safe to use from any thread.
final class PlaybookCache: @unchecked Sendable {
  // Every point query looks up its playbook. In a `perf` profile of 20,000 point queries
  // on the 11M-event benchmark ledger, hashing the JSON one byte at a time took about a
  // tenth of the queries' time, so the key hashes the bytes in one pass.
  private var parsed: [ByteKey: (playbook: Playbook, version: String)] = [:]
  private let lock = NSLock()

  /// Returns the playbook of `json` and its version, parsing and hashing it only the
  /// first time.
  func playbook(json: [UInt8]) throws(PlaybookError) -> (playbook: Playbook, version: String) {
    let key = ByteKey(json)
    if let found = lock.withLock({ parsed[key] }) { return found }
    let playbook = try Playbook(json: json)
    let entry = (playbook: playbook, version: playbook.version)
    lock.withLock { parsed[key] = entry }
    return entry
  }
}

/// Returns the activation that applies before every effective time among `activations`,
/// which are ordered by effective time and then activation time. It is the last activated
/// of those with the earliest effective time, because a later activation with the same
/// effective time replaces an earlier one.
func earliestInForce(_ activations: [RulesActivation]) -> RulesActivation? {
  guard let first = activations.first else { return nil }
  return activations.last { $0.effectiveAt == first.effectiveAt }
}
