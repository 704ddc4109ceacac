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
  var text = text
  let needsEscape = text.withUTF8 { bytes in bytes.contains(where: needsJSONEscape) }
  // Fast path: most strings need no escape and are appended whole.
  guard needsEscape else {
    output += text
    return
  }
  var bytes: [UInt8] = []
  bytes.reserveCapacity(text.utf8.count + 16)
  text.withUTF8 { appendJSONEscaped($0, to: &bytes) }
  // Only ASCII bytes were inserted into valid UTF-8, so the result is valid UTF-8.
  output += String(decoding: bytes, as: UTF8.self)
}

/// Appends the escaped form of the UTF-8 `text`, without quotes, to `output`.
func appendJSONEscaped(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
  guard text.contains(where: needsJSONEscape) else {
    output.append(contentsOf: text)
    return
  }
  for byte in text {
    switch byte {
    case 0x22: output += [0x5C, 0x22]
    case 0x5C: output += [0x5C, 0x5C]
    case 0x08: output += [0x5C, UInt8(ascii: "b")]
    case 0x0C: output += [0x5C, UInt8(ascii: "f")]
    case 0x0A: output += [0x5C, UInt8(ascii: "n")]
    case 0x0D: output += [0x5C, UInt8(ascii: "r")]
    case 0x09: output += [0x5C, UInt8(ascii: "t")]
    case 0..<0x20: output += Array("\\u00".utf8) + Array(hexByte(byte).utf8)
    default: output.append(byte)
    }
  }
}

/// Tells whether a byte must be escaped inside a JSON string.
@inline(__always)
private func needsJSONEscape(_ byte: UInt8) -> Bool {
  byte < 0x20 || byte == 0x22 || byte == 0x5C
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
