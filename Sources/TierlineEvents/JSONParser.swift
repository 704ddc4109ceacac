/// A JSON syntax error with the byte offset where parsing stopped.
public struct JSONSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The zero-based byte offset of the offending input.
  public var offset: Int
  /// The problem in plain words, such as "expected ',' or '}'".
  public var reason: String

  /// Creates an error at a byte offset.
  public init(offset: Int, reason: String) {
    self.offset = offset
    self.reason = reason
  }

  public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
  /// The maximum nesting depth of arrays and objects that the parser accepts.
  public static let maximumDepth = 64

  /// Parses one JSON text (RFC 8259) strictly.
  ///
  /// Rejects trailing content after the value, duplicate keys within one object,
  /// invalid UTF-8, unpaired surrogate escapes, and nesting deeper than `maximumDepth`.
  /// - Throws: `JSONSyntaxError` with the byte offset of the first problem.
  public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
    var parser = JSONParser(bytes: bytes)
    return try parser.parseDocument()
  }

  /// Parses one JSON text (RFC 8259) strictly; see `parse(_:)` for the rules.
  public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
    let result: Result<JSONValue, JSONSyntaxError> = bytes.withUnsafeBytes { buffer in
      do throws(JSONSyntaxError) {
        return .success(try parse(buffer))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  /// Parses one JSON text (RFC 8259) strictly from the string's UTF-8.
  public static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
    try parse(Array(text.utf8))
  }
}

/// A recursive-descent parser over a borrowed byte buffer.
///
/// Every read is bounds-checked, so no input can make it read outside the buffer.
/// Recursion stops at `JSONValue.maximumDepth` levels.
struct JSONParser {
  /// The number of members up to which an object looks for a repeated key by comparing
  /// it with each earlier key instead of hashing.
  static let linearKeySearchLimit = 16

  let bytes: UnsafeRawBufferPointer
  var index = 0
  var depth = 0

  init(bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
  }

  mutating func parseDocument() throws(JSONSyntaxError) -> JSONValue {
    skipWhitespace()
    let value = try parseValue()
    skipWhitespace()
    guard index == bytes.count else {
      throw JSONSyntaxError(offset: index, reason: "unexpected content after the JSON value")
    }
    return value
  }

  private func peek() -> UInt8? {
    index < bytes.count ? bytes[index] : nil
  }

  private func fail(_ reason: String) -> JSONSyntaxError {
    JSONSyntaxError(offset: index, reason: reason)
  }

  private mutating func skipWhitespace() {
    while let byte = peek(),
      byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    {
      index += 1
    }
  }

  private mutating func parseValue() throws(JSONSyntaxError) -> JSONValue {
    guard let byte = peek() else { throw fail("unexpected end of input; expected a value") }
    switch byte {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .number(try parseNumber())
    default:
      throw fail("unexpected character; expected a value")
    }
  }

  private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
    let start = index
    let count = literal.utf8CodeUnitCount
    guard bytes.count - index >= count else {
      throw JSONSyntaxError(offset: start, reason: "invalid literal")
    }
    let pointer = literal.utf8Start
    for offset in 0..<count where bytes[index + offset] != pointer[offset] {
      throw JSONSyntaxError(offset: index + offset, reason: "invalid literal")
    }
    index += count
  }

  private mutating func enterContainer() throws(JSONSyntaxError) {
    depth += 1
    guard depth <= JSONValue.maximumDepth else {
      throw fail("nesting is deeper than \(JSONValue.maximumDepth) levels")
    }
  }

  private mutating func parseObject() throws(JSONSyntaxError) -> JSONValue {
    try enterContainer()
    index += 1
    var members: [(key: String, value: JSONValue)] = []
    // Only objects past `linearKeySearchLimit` members fill this set.
    var keys = Set<String>()
    skipWhitespace()
    if peek() == UInt8(ascii: "}") {
      index += 1
      depth -= 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard peek() == UInt8(ascii: "\"") else { throw fail("expected a string key") }
      let keyOffset = index
      let key = try parseString()
      let repeated: Bool
      if members.count < Self.linearKeySearchLimit {
        repeated = members.contains { $0.key == key }
      } else {
        if keys.isEmpty { keys = Set(members.map(\.key)) }
        repeated = !keys.insert(key).inserted
      }
      guard !repeated else {
        throw JSONSyntaxError(offset: keyOffset, reason: "duplicate key \(jsonQuoted(key))")
      }
      skipWhitespace()
      guard peek() == UInt8(ascii: ":") else { throw fail("expected ':' after the key") }
      index += 1
      skipWhitespace()
      let value = try parseValue()
      members.append((key: key, value: value))
      skipWhitespace()
      switch peek() {
      case UInt8(ascii: ","):
        index += 1
      case UInt8(ascii: "}"):
        index += 1
        depth -= 1
        return .object(members)
      default:
        throw fail("expected ',' or '}'")
      }
    }
  }

  private mutating func parseArray() throws(JSONSyntaxError) -> JSONValue {
    try enterContainer()
    index += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if peek() == UInt8(ascii: "]") {
      index += 1
      depth -= 1
      return .array(elements)
    }
    while true {
      skipWhitespace()
      elements.append(try parseValue())
      skipWhitespace()
      switch peek() {
      case UInt8(ascii: ","):
        index += 1
      case UInt8(ascii: "]"):
        index += 1
        depth -= 1
        return .array(elements)
      default:
        throw fail("expected ',' or ']'")
      }
    }
  }

  /// Parses the number grammar of RFC 8259 section 6 and returns its source text.
  private mutating func parseNumber() throws(JSONSyntaxError) -> String {
    let start = index
    if peek() == UInt8(ascii: "-") { index += 1 }
    guard let first = peek(), isDigit(first) else { throw fail("expected a digit") }
    index += 1
    if first != UInt8(ascii: "0") {
      while let byte = peek(), isDigit(byte) { index += 1 }
    }
    if peek() == UInt8(ascii: ".") {
      index += 1
      guard let byte = peek(), isDigit(byte) else {
        throw fail("expected a digit after the decimal point")
      }
      while let byte = peek(), isDigit(byte) { index += 1 }
    }
    if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
      index += 1
      if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
        index += 1
      }
      guard let digit = peek(), isDigit(digit) else {
        throw fail("expected a digit in the exponent")
      }
      while let byte = peek(), isDigit(byte) { index += 1 }
    }
    let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
    return String(decoding: text, as: UTF8.self)
  }

  /// Parses a string starting at its opening quote and returns its unescaped content.
  private mutating func parseString() throws(JSONSyntaxError) -> String {
    index += 1
    let start = index

    // Fast path: no escapes, so the content is the source bytes themselves.
    while let byte = peek() {
      if byte == UInt8(ascii: "\"") {
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        index += 1
        return String(decoding: text, as: UTF8.self)
      }
      if byte == UInt8(ascii: "\\") { break }
      try consumeStringByte(byte)
    }
    guard peek() != nil else { throw fail("unterminated string") }

    var content = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
    while let byte = peek() {
      if byte == UInt8(ascii: "\"") {
        index += 1
        return String(decoding: content, as: UTF8.self)
      }
      if byte == UInt8(ascii: "\\") {
        try parseEscape(into: &content)
        continue
      }
      let sequenceStart = index
      try consumeStringByte(byte)
      content.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[sequenceStart..<index]))
    }
    throw fail("unterminated string")
  }

  /// Checks one unescaped character of a string and moves past it.
  @inline(__always)
  private mutating func consumeStringByte(_ byte: UInt8) throws(JSONSyntaxError) {
    if byte < 0x20 { throw fail("unescaped control character in a string") }
    if byte < 0x80 {
      index += 1
      return
    }
    guard let length = utf8SequenceLength(in: bytes, at: index) else {
      throw fail("invalid UTF-8")
    }
    index += length
  }

  private mutating func parseEscape(into content: inout [UInt8]) throws(JSONSyntaxError) {
    let escapeStart = index
    index += 1
    guard let code = peek() else { throw fail("unterminated string") }
    index += 1
    switch code {
    case UInt8(ascii: "\""): content.append(0x22)
    case UInt8(ascii: "\\"): content.append(0x5C)
    case UInt8(ascii: "/"): content.append(0x2F)
    case UInt8(ascii: "b"): content.append(0x08)
    case UInt8(ascii: "f"): content.append(0x0C)
    case UInt8(ascii: "n"): content.append(0x0A)
    case UInt8(ascii: "r"): content.append(0x0D)
    case UInt8(ascii: "t"): content.append(0x09)
    case UInt8(ascii: "u"):
      var scalar = try parseHex4()
      if (0xDC00...0xDFFF).contains(scalar) {
        throw JSONSyntaxError(offset: escapeStart, reason: "unpaired low surrogate escape")
      }
      if (0xD800...0xDBFF).contains(scalar) {
        guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"),
          bytes[index + 1] == UInt8(ascii: "u")
        else {
          throw JSONSyntaxError(offset: escapeStart, reason: "unpaired high surrogate escape")
        }
        index += 2
        let low = try parseHex4()
        guard (0xDC00...0xDFFF).contains(low) else {
          throw JSONSyntaxError(offset: escapeStart, reason: "unpaired high surrogate escape")
        }
        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
      }
      appendUTF8(scalar, to: &content)
    default:
      throw JSONSyntaxError(offset: escapeStart, reason: "invalid escape sequence")
    }
  }

  private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
    guard bytes.count - index >= 4 else { throw fail("expected four hex digits after \\u") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
      default: throw fail("expected four hex digits after \\u")
      }
      value = value << 4 | digit
      index += 1
    }
    return value
  }
}

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool {
  byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
}

/// Appends the UTF-8 form of a Unicode scalar value that is known not to be a surrogate.
private func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
  switch scalar {
  case 0..<0x80:
    bytes.append(UInt8(scalar))
  case 0x80..<0x800:
    bytes.append(UInt8(0xC0 | scalar >> 6))
    bytes.append(UInt8(0x80 | scalar & 0x3F))
  case 0x800..<0x10000:
    bytes.append(UInt8(0xE0 | scalar >> 12))
    bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
    bytes.append(UInt8(0x80 | scalar & 0x3F))
  default:
    bytes.append(UInt8(0xF0 | scalar >> 18))
    bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
    bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
    bytes.append(UInt8(0x80 | scalar & 0x3F))
  }
}
