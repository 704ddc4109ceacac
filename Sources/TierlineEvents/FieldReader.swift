/// Reads typed fields out of one JSON object's members, reporting errors by field path.
struct FieldReader {
  let members: [(key: String, value: JSONValue)]
  /// The path prefix of these members in error messages: "" or "data.".
  let prefix: String
  var decoder: EventDecoder

  func member(_ key: String) -> JSONValue? {
    members.first(where: { $0.key == key })?.value
  }

  private func fail(_ key: String, _ reason: String) -> EventInputError {
    decoder.fail(prefix + key, reason)
  }

  /// Rejects the first member whose key is not in `allowed`, naming the allowed keys
  /// that are absent and that it most likely misspells.
  func rejectUnknown(allowed: [String], context: String) throws(EventInputError) {
    for (key, _) in members where !allowed.contains(key) {
      let absent = allowed.filter { name in !members.contains { $0.key == name } }
      // A key of one or two letters starts too many names to guess from.
      let guesses = suggestedNames(for: key, among: absent, minimumPrefix: 3).map(jsonQuoted)
      let hint = guesses.isEmpty ? "" : " (did you mean \(guesses.joined(separator: " or "))?)"
      throw fail(key, "is not a known field of \(context)\(hint)")
    }
  }

  /// Reads a required, non-empty string.
  func string(_ key: String) throws(EventInputError) -> String {
    guard let value = try optionalString(key) else { throw fail(key, "is missing") }
    return value
  }

  /// Reads a required string that must be one of `choices`.
  func string(_ key: String, oneOf choices: [String]) throws(EventInputError) -> String {
    guard let value = try optionalString(key, oneOf: choices) else {
      throw fail(key, "is missing")
    }
    return value
  }

  /// Reads an optional string; when present it must be non-empty.
  func optionalString(_ key: String) throws(EventInputError) -> String? {
    guard let value = member(key) else { return nil }
    guard case .string(let text) = value else {
      throw fail(key, "must be a string, not \(value.typeName)")
    }
    guard !text.isEmpty else { throw fail(key, "must not be empty") }
    // Free text may span lines; every other string is a name shown in one table cell.
    var allowsLineBreaks: Bool?
    for byte in text.utf8 where byte < 0x20 || byte == 0x7F {
      if allowsLineBreaks == nil { allowsLineBreaks = FieldReader.freeTextKeys.contains(key) }
      let isLineBreak = byte == 0x09 || byte == 0x0A || byte == 0x0D
      guard allowsLineBreaks == true, isLineBreak else {
        throw fail(key, "contains a control character")
      }
    }
    return text
  }

  /// Fields of free text, where tabs and line breaks are allowed.
  static let freeTextKeys = ["notes", "reason"]

  /// Reads an optional string that must be one of `choices` when present.
  func optionalString(
    _ key: String, oneOf choices: [String]
  ) throws(EventInputError) -> String? {
    guard let text = try optionalString(key) else { return nil }
    guard choices.contains(text) else {
      throw fail(
        key, "\(jsonQuoted(text)) is not one of \(choices.joined(separator: ", "))")
    }
    return text
  }

  /// Reads a required boolean.
  func bool(_ key: String) throws(EventInputError) -> Bool {
    guard let value = member(key) else { throw fail(key, "is missing") }
    guard case .bool(let flag) = value else {
      throw fail(key, "must be true or false, not \(value.typeName)")
    }
    return flag
  }

  /// Reads an optional non-negative integer that fits in 64 bits.
  func optionalUnsignedInteger(_ key: String) throws(EventInputError) -> UInt64? {
    guard let value = member(key) else { return nil }
    guard case .number(let text) = value else {
      throw fail(key, "must be a non-negative integer, not \(value.typeName)")
    }
    guard let number = UInt64(text) else {
      throw fail(key, "\(text) is not a non-negative integer below 2^64")
    }
    return number
  }

  /// Reads an optional headcount: a non-negative integer up to `Int64.max`.
  func optionalHeadcount(_ key: String) throws(EventInputError) -> Int64? {
    guard let value = member(key) else { return nil }
    guard case .number(let text) = value else {
      throw fail(key, "must be a non-negative integer, not \(value.typeName)")
    }
    guard let number = Int64(text), number >= 0, !text.hasPrefix("-") else {
      if !text.isEmpty, isASCIIDigits(text) {
        throw fail(key, "\(text) is larger than the maximum \(Int64.max)")
      }
      throw fail(key, "\(text) is not a non-negative integer")
    }
    return number
  }

  /// Reads an amount in `key` as a decimal string, in the currency named by
  /// `currencyField`; rejects negative amounts and digits beyond the minor unit.
  func money(_ key: String, currencyField: String) throws(EventInputError) -> Money {
    let code = try string(currencyField)
    guard let currency = Currency(code: code) else {
      throw fail(currencyField, "\(jsonQuoted(code)) is not a three-letter ISO 4217 code")
    }
    guard let value = member(key) else { throw fail(key, "is missing") }
    guard case .string(let text) = value else {
      throw fail(key, "must be a decimal string such as \"6000.00\", not \(value.typeName)")
    }
    if text.hasPrefix("-") {
      // Only a minus before digits, with at most one point after the first digit, is a
      // negative amount.
      let parts = text.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
      guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && isASCIIDigits($0) }) else {
        throw fail(key, "\(jsonQuoted(text)) is not a decimal amount such as \"6000.00\"")
      }
      // Zero is suggested as 0, which every currency accepts, because the digits after the
      // minus can have more decimal places than the currency allows, as -0.000 in USD has.
      let isZero = parts.allSatisfy { $0.allSatisfy { $0 == "0" } }
      let quoted = jsonQuoted(text)
      throw fail(key, isZero ? "\(quoted) is negative zero; write 0" : "\(quoted) is negative")
    }
    do {
      return try Money(decimal: text, currency: currency)
    } catch .tooManyDecimals(let allowed) {
      let places = text.split(separator: ".", maxSplits: 1).last.map(\.utf8.count) ?? 0
      throw fail(key, "has \(places) decimal places; \(currency.code) allows \(allowed)")
    } catch .outOfRange {
      throw fail(key, "\(jsonQuoted(text)) is too large")
    } catch {
      throw fail(key, "\(jsonQuoted(text)) is not a decimal amount such as \"6000.00\"")
    }
  }

  /// Reads a usage quantity given as a JSON number or a decimal string: non-negative,
  /// at most six decimal places, no exponent.
  func quantity(_ key: String) throws(EventInputError) -> Quantity {
    guard let value = member(key) else { throw fail(key, "is missing") }
    // Messages show a number as written and a string in quotes, as the input has them.
    let text: String
    let jsonText: String
    switch value {
    case .number(let number):
      text = number
      jsonText = number
    case .string(let string):
      text = string
      jsonText = jsonQuoted(string)
    default: throw fail(key, "must be a number or a decimal string, not \(value.typeName)")
    }
    if let quantity = Quantity(decimal: text) { return quantity }
    throw fail(key, Quantity.decimalProblem(text, jsonText: jsonText))
  }
}
