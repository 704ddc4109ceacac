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

/// Compact JSON written straight into bytes, value by value, with no intermediate tree.
///
/// Callers write keys and values in the order they should appear, and the writer puts
/// the commas and colons between them. It checks no nesting, so a caller must close
/// every object and array it opens.
public struct JSONByteWriter {
  /// The JSON written so far.
  public private(set) var bytes: [UInt8] = []
  /// Whether the next value or key follows another one at the same level.
  private var followsValue = false

  /// Creates a writer whose buffer can take `capacity` bytes before it grows.
  public init(capacity: Int = 0) {
    bytes.reserveCapacity(capacity)
  }

  private mutating func separate() {
    if followsValue { bytes.append(UInt8(ascii: ",")) }
  }

  /// Opens an object.
  public mutating func beginObject() {
    separate()
    bytes.append(UInt8(ascii: "{"))
    followsValue = false
  }

  /// Closes the innermost open object.
  public mutating func endObject() {
    bytes.append(UInt8(ascii: "}"))
    followsValue = true
  }

  /// Opens an array.
  public mutating func beginArray() {
    separate()
    bytes.append(UInt8(ascii: "["))
    followsValue = false
  }

  /// Closes the innermost open array.
  public mutating func endArray() {
    bytes.append(UInt8(ascii: "]"))
    followsValue = true
  }

  /// Writes a member's key, which must need no escaping, and the colon after it.
  public mutating func key(_ name: StaticString) {
    separate()
    bytes.append(UInt8(ascii: "\""))
    name.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    followsValue = false
  }

  /// Writes a string, escaped as `jsonQuoted` escapes it, or `null` when it is nil.
  public mutating func string(_ text: String?) {
    separate()
    followsValue = true
    guard var text else {
      bytes.append(contentsOf: "null".utf8)
      return
    }
    bytes.append(UInt8(ascii: "\""))
    text.withUTF8 { appendJSONEscaped($0, to: &bytes) }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Writes an integer, or `null` when it is nil.
  public mutating func number(_ value: Int?) {
    separate()
    followsValue = true
    bytes.append(contentsOf: (value.map { String($0) } ?? "null").utf8)
  }

  /// Writes `true` or `false`.
  public mutating func bool(_ value: Bool) {
    separate()
    followsValue = true
    bytes.append(contentsOf: (value ? "true" : "false").utf8)
  }

  /// Writes a member whose value is a string, or `null` when it is nil.
  public mutating func string(_ name: StaticString, _ text: String?) {
    key(name)
    string(text)
  }

  /// Writes a member whose value is an integer, or `null` when it is nil.
  public mutating func number(_ name: StaticString, _ value: Int?) {
    key(name)
    number(value)
  }

  /// Writes a member whose value is `true` or `false`.
  public mutating func bool(_ name: StaticString, _ value: Bool) {
    key(name)
    bool(value)
  }

  /// Writes `null`.
  public mutating func null() {
    separate()
    followsValue = true
    bytes.append(contentsOf: "null".utf8)
  }
}
