import Foundation

/// An account identifier: a Unicode string compared after NFC normalization.
///
/// "Café" typed with a combining accent and with a precomposed "é" is one account.
/// The normalized UTF-8 form is at most `maximumUTF8Length` bytes and contains no
/// control characters, so it fits an LMDB key with room to spare.
public struct AccountID: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The NFC-normalized identifier.
  public let value: String

  /// The maximum identifier length, in UTF-8 bytes after normalization.
  public static let maximumUTF8Length = 200

  /// Normalizes and validates an identifier.
  /// - Throws: `AccountIDError` when it is empty, too long or has control characters.
  public init(_ raw: String) throws(AccountIDError) {
    let normalized = raw.precomposedStringWithCanonicalMapping
    guard !normalized.isEmpty else { throw .empty }
    guard normalized.utf8.count <= AccountID.maximumUTF8Length else {
      throw .tooLong(bytes: normalized.utf8.count, given: raw.utf8.count)
    }
    guard
      !normalized.unicodeScalars.contains(where: {
        $0.properties.generalCategory == .control
      })
    else { throw .controlCharacter }
    value = normalized
  }

  /// Wraps text already known to be a normalized, valid identifier, such as one
  /// read back from the ledger's own index.
  public init(normalized value: String) {
    self.value = value
  }

  public var description: String { value }

  public static func < (lhs: AccountID, rhs: AccountID) -> Bool {
    lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
  }
}

/// The reason an account identifier was rejected.
public enum AccountIDError: Error, Hashable, Sendable, CustomStringConvertible {
  case empty
  /// `bytes` counts the normalized form and `given` the text as given.
  case tooLong(bytes: Int, given: Int)
  case controlCharacter

  public var description: String { "account id " + reason }

  /// The problem without its subject, for a message that names the field already.
  public var reason: String {
    switch self {
    case .empty:
      return "is empty"
    case .tooLong(let bytes, let given):
      // Normalization can lengthen an id: U+0958 becomes two code points.
      let form = bytes == given ? "" : " in NFC, the form the ledger stores (\(given) as given)"
      return "is \(bytes) bytes of UTF-8\(form), more than the maximum of "
        + "\(AccountID.maximumUTF8Length)"
    case .controlCharacter:
      return "contains a control character"
    }
  }
}
