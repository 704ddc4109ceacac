import TierlineEvents
import TierlineProjections
import TierlineStore

/// Keeps every account's fold state current by reading the log in position order, the
/// order in which events arrived, instead of folding each account from scratch.
///
/// Events usually arrive in occurred order and are applied to the account's state as
/// they come. An event that occurred before the last one applied to its account (a late
/// event) cannot be applied on top, so that account is folded again from its index.
/// Either way the state equals a full replay of the same events, which `verify
/// --projections` checks byte for byte.
public final class IncrementalProjector {
  /// The rules every state is folded under.
  public let rules: ReplayRules
  /// The last log position applied; 0 before the first catch-up.
  public private(set) var position: UInt64 = 0
  /// Accounts folded again because a late event arrived for them.
  public private(set) var refolds = 0

  private var states: [AccountID: AccountState] = [:]

  /// Creates a projector with no state.
  public init(rules: ReplayRules) {
    self.rules = rules
  }

  /// Applies every event stored after `position`, at most `step` positions per read
  /// transaction, refolding accounts that received a late event.
  /// - Returns: the number of events read.
  @discardableResult
  public func catchUp(with ledger: Ledger, step: UInt64 = .max) throws(LedgerError) -> Int {
    var total = 0
    while true {
      let read = try catchUpOnce(with: ledger, limit: step)
      total += read
      if read == 0 || UInt64(read) < step { return total }
    }
  }

  private func catchUpOnce(with ledger: Ledger, limit: UInt64) throws(LedgerError) -> Int {
    try storeCall {
      try ledger.store.read { transaction in
        var read = 0
        var late: Set<AccountID> = []
        try transaction.scan(from: position + 1) { view in
          guard UInt64(read) < limit else { return false }
          let event = try view.decodeEvent()
          read += 1
          position = view.position
          let account = event.account
          if late.contains(account) { return true }
          if let last = states[account]?.lastApplied,
            (event.occurredAt, view.position) < (last.occurredAt, last.position)
          {
            late.insert(account)
            return true
          }
          // Applied in place, so the state's arrays are not copied for every event.
          states[account, default: AccountState(account: account, playbook: rules.playbook)]
            .apply(event, position: view.position)
          return true
        }
        let everything = ReplayPoint(asOf: .maximum, knownAt: .maximum)
        for account in late {
          states[account] = try ledger.fold(
            Array(account.value.utf8), account: account, at: everything, rules: rules,
            through: position, in: transaction)
          refolds += 1
        }
        return read
      }
    }
  }

  /// The accounts with state, in id byte order.
  public var accounts: [AccountID] {
    states.keys.sorted()
  }

  /// Returns the projection of one account from its current state.
  public func projection(of account: AccountID, asOf: Timestamp, knownAt: Timestamp)
    -> AccountProjection?
  {
    states[account]?.projection(asOf: asOf, knownAt: knownAt, rulesVersion: rules.version)
  }
}
