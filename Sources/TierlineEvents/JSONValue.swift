/// A parsed JSON value (RFC 8259) that keeps what a strict reader needs.
///
/// Numbers keep their exact source text, so `12.50` and `1e3` stay distinguishable and no
/// amount passes through binary floating point. Object members keep their source order.
public enum JSONValue: Sendable, Equatable {
  /// The literal `null`.
  case null
  /// The literal `true` or `false`.
  case bool(Bool)
  /// A number, as the exact text that appeared in the source, such as `-12.50` or `1e3`.
  case number(String)
  /// A string with all escapes resolved.
  case string(String)
  /// An array, in source order.
  case array([JSONValue])
  /// An object's members in source order; keys are unique.
  case object([(key: String, value: JSONValue)])

  /// The JSON type name used in error messages: `null`, `boolean`, `number`, `string`,
  /// `array` or `object`.
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "boolean"
    case .number: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }

  /// Returns the value of the member named `key` when this is an object that has one.
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first(where: { $0.key == key })?.value
  }

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a), .number(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      guard a.count == b.count else { return false }
      for (left, right) in zip(a, b) where left.key != right.key || left.value != right.value {
        return false
      }
      return true
    default: return false
    }
  }
}
