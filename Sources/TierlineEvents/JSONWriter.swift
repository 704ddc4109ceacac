/// Returns `text` as a JSON string literal, quotes included.
///
/// Escapes `"` and `\`, writes the control characters U+0000–U+001F as `\b`, `\f`, `\n`,
/// `\r`, `\t` or `\u00XX`, and keeps every other character as UTF-8.
public func jsonQuoted(_ text: String) -> String {
  var output = "\""
  output.reserveCapacity(text.utf8.count + 2)
  appendJSONQuoted(text, to: &output)
  return output + "\""
}

/// Appends the escaped content of `text`, without quotes, to `output`.
func appendJSONQuoted(_ text: String, to output: inout String) {
  var pendingStart = text.unicodeScalars.startIndex
  var position = pendingStart
  let scalars = text.unicodeScalars
  while position != scalars.endIndex {
    let scalar = scalars[position]
    let escape: String?
    switch scalar.value {
    case 0x22: escape = "\\\""
    case 0x5C: escape = "\\\\"
    case 0x08: escape = "\\b"
    case 0x0C: escape = "\\f"
    case 0x0A: escape = "\\n"
    case 0x0D: escape = "\\r"
    case 0x09: escape = "\\t"
    case 0..<0x20: escape = "\\u00" + hexByte(UInt8(scalar.value))
    default: escape = nil
    }
    if let escape {
      output.unicodeScalars.append(contentsOf: scalars[pendingStart..<position])
      output += escape
      pendingStart = scalars.index(after: position)
    }
    position = scalars.index(after: position)
  }
  output.unicodeScalars.append(contentsOf: scalars[pendingStart..<position])
}

private func hexByte(_ byte: UInt8) -> String {
  let digits: [Character] = Array("0123456789abcdef")
  return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}

/// Builds one JSON object as text, member by member, in the order the calls are made.
struct JSONObjectWriter {
  private(set) var text = "{"
  private var isEmpty = true

  private mutating func key(_ name: String) {
    if !isEmpty { text += "," }
    isEmpty = false
    text += "\""
    appendJSONQuoted(name, to: &text)
    text += "\":"
  }

  /// Adds a string member.
  mutating func string(_ name: String, _ value: String) {
    key(name)
    text += "\""
    appendJSONQuoted(value, to: &text)
    text += "\""
  }

  /// Adds a string member when `value` is not nil.
  mutating func optionalString(_ name: String, _ value: String?) {
    if let value { string(name, value) }
  }

  /// Adds a member whose value is already JSON text, such as a number or a nested object.
  mutating func raw(_ name: String, _ json: String) {
    key(name)
    text += json
  }

  /// Adds a boolean member.
  mutating func bool(_ name: String, _ value: Bool) {
    raw(name, value ? "true" : "false")
  }

  /// Returns the finished object text.
  func finished() -> String { text + "}" }
}
