import TierlineEvents
import TierlinePlaybook
import TierlineProjections
import TierlineStore

/// The point in time a projection describes.
public struct ReplayPoint: Hashable, Sendable {
  /// Valid time: events that occurred after it are left out.
  public var asOf: Timestamp
  /// Transaction time: events recorded after it are left out.
  public var knownAt: Timestamp

  /// Creates a point; both times default to now.
  public init(asOf: Timestamp = .now, knownAt: Timestamp = .now) {
    self.asOf = asOf
    self.knownAt = knownAt
  }
}

/// The rules a replay folds under.
public struct ReplayRules: Sendable {
  /// The playbook.
  public var playbook: Playbook
  /// Its version, named in every projection.
  public var version: String

  /// Rules given by the caller, such as a candidate playbook for a what-if replay.
  public init(playbook: Playbook) {
    self.playbook = playbook
    self.version = playbook.version
  }

  /// Rules whose version is already known, as for stored activations.
  init(playbook: Playbook, version: String) {
    self.playbook = playbook
    self.version = version
  }

  /// Returns equal rules that share no string or array storage with these, for one
  /// folding thread. The copy's playbook is read back from its canonical JSON. Rules that
  /// do not read back equal, which would be a defect of the canonical form, are returned
  /// as they are.
  public func separateCopy() -> ReplayRules {
    guard let playbook = try? Playbook(json: playbook.canonicalJSON()), playbook == self.playbook
    else { return self }
    return ReplayRules(
      playbook: playbook, version: String(decoding: Array(version.utf8), as: UTF8.self))
  }
}

extension Ledger {
  /// Returns the rules a replay at `point` uses: `override` when given, otherwise the rules in
  /// force at `point.asOf` as known at `point.knownAt`.
  public func replayRules(at point: ReplayPoint, override: Playbook? = nil) throws(LedgerError)
    -> ReplayRules
  {
    let inForce = try rules(asOf: point.asOf, knownAt: point.knownAt)
    guard let override else {
      return ReplayRules(playbook: inForce.playbook, version: inForce.version)
    }
    try checkCurrency(of: override, against: inForce.playbook)
    // The fold would put an account on a tier the playbook lacks, without limits or
    // transitions, and the metrics would leave it out of the tier shares.
    try checkTiers(of: override, at: point, action: "fold under these rules")
    return ReplayRules(playbook: override)
  }

  /// Folds one account's events at `point` and returns its projection.
  /// - Returns: nil when no event of the account is visible at `point`.
  public func projection(
    of account: AccountID, at point: ReplayPoint, rules: ReplayRules
  ) throws(LedgerError) -> AccountProjection? {
    try storeCall {
      try store.read { transaction in
        let state = try fold(
          Array(account.value.utf8), account: account, at: point, rules: rules,
          in: transaction)
        return state.map {
          $0.projection(asOf: point.asOf, knownAt: point.knownAt, rulesVersion: rules.version)
        }
      }
    }
  }

  /// Folds every account at `point` in account-id byte order and hands each projection
  /// to `body`; accounts with no visible event are skipped.
  ///
  /// All accounts are read in one read transaction, so the result is one consistent
  /// snapshot even while other processes append. `body` runs inside that transaction,
  /// one projection at a time, so no more than one projection is held; see `LogFold` for
  /// what is. `forEachProjection(at:rules:threads:_:)` folds on several threads instead.
  public func forEachProjection(
    at point: ReplayPoint, rules: ReplayRules,
    _ body: (AccountProjection) throws -> Void
  ) throws(LedgerError) {
    try forEachFold(at: point, threads: 1, with: Self.projecting(at: point, rules: rules)) {
      try body($0)
    }
  }

  /// Folds the given accounts at `point` in the order given and hands each projection to
  /// `body`; accounts with no visible event are skipped.
  ///
  /// The accounts are read in one read transaction. Several threads may call this method
  /// on the same ledger at once, for example each with a share of `accounts()`: each call
  /// has its own read transaction, and no call changes the ledger.
  public func forEachProjection(
    of accounts: some Sequence<AccountID>, at point: ReplayPoint, rules: ReplayRules,
    _ body: (AccountProjection) throws -> Void
  ) throws(LedgerError) {
    try storeCall {
      try store.read { transaction in
        for account in accounts {
          guard
            let state = try fold(
              Array(account.value.utf8), account: account, at: point, rules: rules,
              in: transaction)
          else { continue }
          try body(
            state.projection(
              asOf: point.asOf, knownAt: point.knownAt, rulesVersion: rules.version))
        }
      }
    }
  }

  /// Returns every account with at least one stored event, in id byte order.
  public func accounts() throws(LedgerError) -> [AccountID] {
    try storeCall {
      try store.read { transaction in
        var found: [AccountID] = []
        try transaction.forEachOriginator { originator, _ in
          found.append(AccountID(normalized: String(decoding: originator, as: UTF8.self)))
          return true
        }
        return found
      }
    }
  }

  /// Returns one account's events in occurred order (ties by position), with both stamps.
  public func log(of account: AccountID) throws(LedgerError) -> [RecordedEvent] {
    try storeCall {
      try store.read { transaction in
        var events: [RecordedEvent] = []
        try transaction.scan(originator: Array(account.value.utf8), occurredThrough: .max) {
          view in
          let event = try view.decodeEvent()
          // The index of a format 1 ledger has no checksum, so a damaged entry could point
          // at another account's event.
          guard event.account == account else {
            throw LedgerError(
              .storage,
              "the account index of \(account.value) lists position \(view.position), which "
                + "contains an event of \(event.account.value)" + LedgerError.damageAdvice)
          }
          events.append(
            RecordedEvent(
              event: event, position: view.position,
              recordedAt: Timestamp(microseconds: view.recordedAt)))
          return true
        }
        return events
      }
    }
  }

  /// Applies one account's events visible at `point` to `fold`, in fold order, and
  /// returns their number. The events are read through the account index, as for
  /// `projection(of:at:rules:)`, in one read transaction.
  public func fold<Fold: AccountEventFold>(
    _ account: AccountID, at point: ReplayPoint, into fold: inout Fold
  ) throws(LedgerError) -> Int {
    try storeCall {
      try store.read { transaction in
        try apply(Array(account.value.utf8), at: point, to: &fold, in: transaction)
      }
    }
  }

  /// Folds one originator's visible events into a fresh state, leaving out events stored
  /// after `lastPosition`.
  /// - Returns: nil when no event is visible at `point`.
  func fold(
    _ originator: [UInt8], account: AccountID, at point: ReplayPoint, rules: ReplayRules,
    through lastPosition: UInt64 = .max, in transaction: borrowing ReadTransaction
  ) throws -> AccountState? {
    var state = AccountState(account: account, playbook: rules.playbook)
    let visible = try apply(
      originator, at: point, through: lastPosition, to: &state, in: transaction)
    return visible == 0 ? nil : state
  }

  /// Applies one originator's events visible at `point` to `fold`, leaving out events
  /// stored after `lastPosition`, and returns their number.
  private func apply<Fold: AccountEventFold>(
    _ originator: [UInt8], at point: ReplayPoint, through lastPosition: UInt64 = .max,
    to fold: inout Fold, in transaction: borrowing ReadTransaction
  ) throws -> Int {
    var visible = 0
    var metrics = MetricNames()
    let knownAt = point.knownAt.microseconds
    try transaction.scan(originator: originator, occurredThrough: point.asOf.microseconds) {
      view in
      guard view.recordedAt <= knownAt, view.position <= lastPosition else { return true }
      // Usage records, most of an account, are read without building an `Event`.
      if let usage = EventCodec.usageFields(in: view.content) {
        fold.applyUsage(
          metric: metrics.name(for: usage.metric), millionths: usage.millionths,
          occurredAt: usage.occurredAt, position: view.position)
      } else {
        fold.apply(try view.decodeEvent(), position: view.position)
      }
      visible += 1
      return true
    }
    return visible
  }
}
