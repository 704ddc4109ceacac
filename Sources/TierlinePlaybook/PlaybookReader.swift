import TierlineEvents

/// Reads the members of one JSON object strictly: every member must be read, so any
/// member left over is an unknown key.
struct ObjectReader {
  let path: String
  private var members: [String: JSONValue] = [:]
  private var order: [String] = []
  private var read: Set<String> = []

  init(_ value: JSONValue, path: String) throws(PlaybookError) {
    guard case .object(let pairs) = value else {
      throw PlaybookError(field: path, reason: "expected an object")
    }
    self.path = path
    for pair in pairs {
      members[pair.key] = pair.value
      order.append(pair.key)
    }
  }

  func fieldPath(_ key: String) -> String {
    path.isEmpty ? key : path + "." + key
  }

  mutating func value(_ key: String) throws(PlaybookError) -> JSONValue {
    read.insert(key)
    guard let value = members[key] else {
      // A misspelt key is both unknown and leaves its key missing, and the missing key is
      // found first, so the message names the likely misspelling.
      let misspelt = order.first { member in
        members[member] != nil && !read.contains(member)
          && !suggestedNames(for: member, among: [key], minimumPrefix: .max).isEmpty
      }
      let hint = misspelt.map { "; the key \"\($0)\" here may be a misspelling of it" } ?? ""
      throw PlaybookError(field: fieldPath(key), reason: "missing" + hint)
    }
    return value
  }

  mutating func has(_ key: String) -> Bool {
    members[key] != nil
  }

  mutating func string(_ key: String) throws(PlaybookError) -> String {
    guard case .string(let text) = try value(key) else {
      throw PlaybookError(field: fieldPath(key), reason: "expected a string")
    }
    return text
  }

  mutating func identifier(_ key: String) throws(PlaybookError) -> String {
    let text = try string(key)
    guard !text.isEmpty else { throw PlaybookError(field: fieldPath(key), reason: "empty") }
    return text
  }

  mutating func bool(_ key: String) throws(PlaybookError) -> Bool {
    guard case .bool(let flag) = try value(key) else {
      throw PlaybookError(field: fieldPath(key), reason: "expected true or false")
    }
    return flag
  }

  /// Reads a non-negative integer of at most 36,500 (a hundred years of days).
  mutating func days(_ key: String) throws(PlaybookError) -> Int {
    try ObjectReader.days(try value(key), path: fieldPath(key))
  }

  static func days(_ value: JSONValue, path: String) throws(PlaybookError) -> Int {
    guard case .number(let text) = value, let number = Int(text), (0...36_500).contains(number)
    else { throw PlaybookError(field: path, reason: "expected an integer from 0 to 36500") }
    return number
  }

  mutating func array(_ key: String) throws(PlaybookError) -> [JSONValue] {
    guard case .array(let items) = try value(key) else {
      throw PlaybookError(field: fieldPath(key), reason: "expected an array")
    }
    return items
  }

  mutating func strings(_ key: String) throws(PlaybookError) -> [String] {
    var result: [String] = []
    for (index, item) in try array(key).enumerated() {
      guard case .string(let text) = item, !text.isEmpty else {
        throw PlaybookError(
          field: fieldPath(key) + "[\(index)]", reason: "expected a non-empty string")
      }
      result.append(text)
    }
    return result
  }

  mutating func money(_ key: String, currency: Currency) throws(PlaybookError) -> Money {
    let text = try string(key)
    do {
      let amount = try Money(decimal: text, currency: currency)
      guard amount.minorUnits >= 0 else {
        throw PlaybookError(field: fieldPath(key), reason: "negative amount")
      }
      return amount
    } catch let error as PlaybookError {
      throw error
    } catch {
      throw PlaybookError(field: fieldPath(key), reason: "\(error) in \(currency.code)")
    }
  }

  mutating func ratio(_ key: String) throws(PlaybookError) -> Ratio {
    guard let ratio = Ratio(decimal: try string(key)) else {
      throw PlaybookError(
        field: fieldPath(key), reason: "expected a decimal string from 0 to 1, such as \"0.80\"")
    }
    return ratio
  }

  mutating func object(_ key: String) throws(PlaybookError) -> ObjectReader {
    try ObjectReader(try value(key), path: fieldPath(key))
  }

  /// Rejects the first member that was never read.
  func finish() throws(PlaybookError) {
    if let unknown = order.first(where: { !read.contains($0) }) {
      throw PlaybookError(field: fieldPath(unknown), reason: "unknown key")
    }
  }
}
