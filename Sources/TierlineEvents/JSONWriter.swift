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
  // Fast path: most strings need no escape and are appended whole.
  guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
    output += text
    return
  }
  var bytes: [UInt8] = []
  bytes.reserveCapacity(text.utf8.count + 16)
  for byte in text.utf8 {
    switch byte {
    case 0x22: bytes += [0x5C, 0x22]
    case 0x5C: bytes += [0x5C, 0x5C]
    case 0x08: bytes += [0x5C, UInt8(ascii: "b")]
    case 0x0C: bytes += [0x5C, UInt8(ascii: "f")]
    case 0x0A: bytes += [0x5C, UInt8(ascii: "n")]
    case 0x0D: bytes += [0x5C, UInt8(ascii: "r")]
    case 0x09: bytes += [0x5C, UInt8(ascii: "t")]
    case 0..<0x20: bytes += Array("\\u00".utf8) + Array(hexByte(byte).utf8)
    default: bytes.append(byte)
    }
  }
  // Only ASCII bytes were inserted into valid UTF-8, so the result is valid UTF-8.
  output += String(decoding: bytes, as: UTF8.self)
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
