import TierlineEvents
import TierlinePlaybook

extension Ledger {
  /// The latest activation of the playbook whose version is `version`.
  ///
  /// `version` is the full `sha256:…` text or its hex digits alone; a unique prefix of
  /// at least four hex digits also matches.
  /// - Throws: `LedgerError` of kind `.notFound` when no activation matches, and of kind
  ///   `.invalidInput` when a prefix matches more than one version.
  public func activation(version: String) throws(LedgerError) -> RulesActivation {
    let digits = try Self.versionDigits(version)
    let all = try activations()
    let matching = all.filter { activation in
      let hex = activation.version.dropFirst(7)
      return hex == digits || (digits.count >= 4 && hex.hasPrefix(digits))
    }
    let versions = Set(matching.map(\.version))
    guard versions.count <= 1 else {
      let listed = versions.sorted().joined(separator: ", ")
      throw LedgerError(
        .invalidInput,
        "rules version \(version) is ambiguous (it matches \(listed)): give more hex digits")
    }
    guard let found = matching.max(by: { $0.activatedAt < $1.activatedAt }) else {
      throw LedgerError(
        .notFound, "no rules version \(version) was activated: see `tierline rules list`")
    }
    return found
  }

  /// Returns the hex digits of a rules version given as `sha256:` and 16 hex digits, or
  /// as 4 to 16 of those digits, and throws `.invalidInput` for any other text. It reads
  /// no ledger, so a command can check a version before it opens one.
  public static func versionDigits(_ version: String) throws(LedgerError) -> String {
    let digits = version.hasPrefix("sha256:") ? String(version.dropFirst(7)) : version
    let isHex = digits.unicodeScalars.allSatisfy { "0123456789abcdef".unicodeScalars.contains($0) }
    // A version has 16 hex digits, so a longer text is no prefix of any.
    guard (4...16).contains(digits.count), isHex else {
      throw LedgerError(
        .invalidInput,
        "invalid rules version (\(version)): give `sha256:` and 16 hex digits, or from 4 to 16 "
          + "lower-case hex digits of it; see `tierline rules list`",
        field: "version")
    }
    return digits
  }
}
