import TierlineStore

extension Ledger {
  /// Writes a compacted, consistent copy of the ledger into `directory`, which must not
  /// contain a `data.mdb`, and returns the copy's size in bytes.
  ///
  /// Appends may run in this and other processes meanwhile: the copy holds the batches
  /// committed when it began and nothing of later ones. Opening `directory` as a ledger
  /// restores it.
  /// - Throws: `LedgerError` of kind `.invalidInput` when the directory already holds a
  ///   `data.mdb`, `.storage` when copying fails.
  @discardableResult
  public func backup(to directory: String) throws(LedgerError) -> Int {
    do {
      return try store.backup(to: directory)
    } catch {
      guard error.code == .invalidArgument else { throw LedgerError(error) }
      throw LedgerError(.invalidInput, error.message, underlying: error)
    }
  }

  /// The number of reader slots of dead processes cleared when this ledger was opened.
  public var staleReadersCleared: Int { store.staleReadersCleared }
}
