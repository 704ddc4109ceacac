import TierlineLedger

extension CommandContext {
  /// Opens the existing ledger in `storeDirectory`.
  ///
  /// A path that runs through a symbolic link to a missing path gets an error that names
  /// the link and its target, because `tierline init` rejects such a path too.
  func openLedger() throws -> Ledger {
    do {
      return try Ledger.open(directory: storeDirectory)
    } catch {
      // NOTE: `catch where` with this body crashes swift-frontend 6.3.1 (signal 11 in
      // MandatoryAllocBoxToStack), so the kind is checked inside the catch.
      guard error.kind == .notFound, let dangling = danglingSymbolicLink(in: storeDirectory)
      else { throw error }
      throw CommandFailure(
        message: "no ledger at \(storeDirectory): \(dangling.link) is a symbolic link to a "
          + "missing path (\(dangling.target)); create that directory and run `tierline init`, "
          + "or name another --store",
        exitCode: error.exitCode)
    }
  }
}
