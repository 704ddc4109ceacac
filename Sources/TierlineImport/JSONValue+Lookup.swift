import TierlineEvents

extension JSONValue {
  /// The text of a string value; nil for any other JSON type.
  var stringValue: String? {
    guard case .string(let text) = self else { return nil }
    return text
  }

  /// The members of an object value; nil for any other JSON type.
  var objectMembers: [(key: String, value: JSONValue)]? {
    guard case .object(let members) = self else { return nil }
    return members
  }

  /// The elements of an array value; nil for any other JSON type.
  var arrayElements: [JSONValue]? {
    guard case .array(let elements) = self else { return nil }
    return elements
  }

  /// The value at a dotted path such as `data.object.customer`, or nil when a step is
  /// missing or is not an object.
  func value(at path: String) -> JSONValue? {
    var current = self
    for key in path.split(separator: ".") {
      guard let next = current[String(key)] else { return nil }
      current = next
    }
    return current
  }

  /// The whole number at `path` when it is an integer written without fraction or
  /// exponent; nil otherwise.
  func integer(at path: String) -> Int64? {
    guard case .number(let text)? = value(at: path) else { return nil }
    return Int64(text)
  }

  /// The string at `path`, or nil when it is missing, null, empty or not a string.
  func string(at path: String) -> String? {
    guard let text = value(at: path)?.stringValue, !text.isEmpty else { return nil }
    return text
  }
}

/// Builds the interchange JSON of one event, to be validated by `ImportPlan.add`.
func eventDraft(
  id: String, type: EventType, account: String, occurredAt: String,
  data: [(key: String, value: JSONValue)]
) -> JSONValue {
  .object([
    ("id", .string(id)), ("type", .string(type.name)), ("account", .string(account)),
    ("occurred_at", .string(occurredAt)), ("data", .object(data)),
  ])
}
