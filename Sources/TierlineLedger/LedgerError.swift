import TierlineEvents
import TierlinePlaybook
import TierlineStore

/// A failure of a ledger operation, with the values a user needs to act on it.
public struct LedgerError: Error, CustomStringConvertible, Sendable {
  /// The kind of failure; the command line maps each kind to an exit code.
  public enum Kind: Sendable, Equatable {
    /// Input data is invalid: a bad event, a bad playbook, an unknown tier.
    case invalidInput
    /// An optimistic-concurrency or idempotency conflict; retrying may succeed.
    case conflict
    /// The ledger, an account or a rules version does not exist.
    case notFound
    /// A ledger already exists where one was to be created.
    case alreadyExists
    /// Storage failed or is damaged.
    case storage
  }

  /// The kind of failure.
  public var kind: Kind
  /// A plain sentence that names the value involved.
  public var message: String
  /// The 1-based input line, for input errors.
  public var line: Int?
  /// The input field, such as `data.acv`.
  public var field: String?
  /// The underlying error, when another layer raised it.
  public var underlying: (any Error & Sendable)?

  /// Creates an error.
  public init(
    _ kind: Kind, _ message: String, line: Int? = nil, field: String? = nil,
    underlying: (any Error & Sendable)? = nil
  ) {
    self.kind = kind
    self.message = message
    self.line = line
    self.field = field
    self.underlying = underlying
  }

  public var description: String { message }
}

extension LedgerError {
  /// Wraps an event input error, keeping its line and field.
  init(_ error: EventInputError) {
    self.init(
      .invalidInput, error.description, line: error.line, field: error.field, underlying: error)
  }

  /// Wraps a store error, choosing the kind from its code.
  init(_ error: StoreError) {
    let kind: Kind
    switch error.code {
    case .idConflict, .versionConflict, .readersFull, .emptyEnvironment: kind = .conflict
    case .notALedger: kind = .notFound
    default: kind = .storage
    }
    // The LMDB or system cause (for example "Permission denied") tells the user what to fix.
    let cause = kind == .storage || kind == .notFound ? error.lmdbCode.map { ": \($0)" } : nil
    let advice = error.code == .corrupt ? Self.damageAdvice : ""
    self.init(kind, error.message + (cause ?? "") + advice, underlying: error)
  }

  /// The end of every message about damage found while reading.
  static let damageAdvice =
    "; run `tierline verify` to list the damage, then restore the ledger from a backup"

  /// Whether the error is about damage found while reading, and ends with
  /// `damageAdvice`.
  public var reportsDamage: Bool { message.hasSuffix(Self.damageAdvice) }

  /// The advice for damage that makes the ledger impossible to open, so that `verify`
  /// cannot list more of it.
  public static let restoreAdvice = "; restore the ledger from a backup"

  /// The error with `restoreAdvice` in place of `damageAdvice`, for `verify`, which
  /// would otherwise tell the user to run itself.
  public var withRestoreAdvice: LedgerError {
    guard message.hasSuffix(Self.damageAdvice) else { return self }
    var error = self
    error.message = messageWithoutAdvice + Self.restoreAdvice
    return error
  }

  /// The message without `damageAdvice`, for `verify`, which lists the damage itself.
  var messageWithoutAdvice: String {
    message.hasSuffix(Self.damageAdvice)
      ? String(message.dropLast(Self.damageAdvice.count)) : message
  }
}
