import TierlineEvents
import TierlineProjections

/// The mapping file of `tierline import csv`: the rules that turn CSV columns into events.
///
/// Every event field takes its value from a column (`{"column": "calls"}`), from a
/// constant (`{"value": "api_calls"}`), and optionally through a table that translates
/// cell values (`"values": {"signup": "account.landed"}`). `docs/importers.md` shows an
/// example and `schemas/csv-mapping.schema.json` the full format.
public struct CSVMapping: Sendable {
  /// The origin of one event field's value: a column or a constant.
  public struct Source: Sendable, Hashable {
    /// The column read, or nil for a constant.
    public var column: String?
    /// The constant value, used when `column` is nil.
    public var constant: String?
    /// Translations of cell values; a cell not listed is used as it is.
    public var values: [String: String]

    /// The value of this field in one row, or nil when its cell is empty.
    func read(_ row: [String: String]) -> String? {
      guard let column else { return constant }
      guard let cell = row[column]?.trimmingSpaces(), !cell.isEmpty else { return nil }
      return values[cell] ?? cell
    }
  }

  /// The source of the event type name, such as `usage.recorded`.
  public var type: Source
  /// The columns whose values, joined by `:`, form the event id.
  public var idColumns: [String]
  /// Text put before the joined id columns, such as `billing:`.
  public var idPrefix: String
  /// The source of the account id.
  public var account: Source
  /// The source of `occurred_at`: RFC 3339, or a date `YYYY-MM-DD` meaning the start of
  /// that day in `dateTimeZone`.
  public var occurredAt: Source
  /// The IANA time zone of date-only `occurred_at` values.
  public var dateTimeZone: String
  /// The data fields of each event type that rows may have, by interchange field name.
  public var data: [EventType: [(field: String, source: Source)]]

  /// The mapping format version that this type reads.
  public static let formatVersion = 1

  /// Every column the mapping reads.
  public var columns: Set<String> {
    var names = Set(idColumns)
    let sources = [type, account, occurredAt] + data.values.flatMap { $0.map(\.source) }
    for source in sources {
      if let column = source.column { names.insert(column) }
    }
    return names
  }
}

extension CSVMapping {
  /// Parses a mapping file.
  /// - Throws: `ImportSetupError` naming the key that is missing or invalid.
  public init(json bytes: [UInt8]) throws(ImportSetupError) {
    let root: JSONValue
    do {
      root = try JSONValue.parse(bytes)
    } catch {
      throw ImportSetupError("the CSV mapping is not valid JSON: \(error)")
    }
    guard let members = root.objectMembers else {
      throw ImportSetupError("the CSV mapping must be a JSON object")
    }
    let allowed: Set = ["version", "type", "id", "account", "occurred_at", "date_timezone", "data"]
    if let unknown = members.first(where: { !allowed.contains($0.key) }) {
      throw ImportSetupError(
        "the CSV mapping has an unknown key \(jsonQuoted(unknown.key)); expected "
          + allowed.sorted().joined(separator: ", "))
    }
    guard root.integer(at: "version") == Int64(CSVMapping.formatVersion) else {
      throw ImportSetupError(
        "the CSV mapping needs \"version\": \(CSVMapping.formatVersion)")
    }
    type = try parseSource(root["type"], key: "type")
    account = try parseSource(root["account"], key: "account")
    occurredAt = try parseSource(root["occurred_at"], key: "occurred_at")
    (idColumns, idPrefix) = try parseID(root["id"])
    switch root["date_timezone"] {
    case nil: dateTimeZone = "UTC"
    case .string(let zone)?: dateTimeZone = zone
    default:
      throw ImportSetupError(
        "the CSV mapping's \"date_timezone\" must be a string, an IANA time zone such as "
          + "\"Europe/Berlin\"")
    }
    // The event decoder's own check, which rejects names such as GMT+5 that Foundation
    // reads with the opposite sign to IANA's Etc/GMT+5.
    guard isIANATimeZone(dateTimeZone), ZoneCalendar(identifier: dateTimeZone) != nil else {
      throw ImportSetupError(
        "the CSV mapping's date_timezone \(jsonQuoted(dateTimeZone)) is not a known IANA time "
          + "zone")
    }
    data = try parseData(root["data"])
  }
}

private func parseSource(_ value: JSONValue?, key: String) throws(ImportSetupError)
  -> CSVMapping.Source
{
  guard let value, let members = value.objectMembers else {
    throw ImportSetupError(
      "the CSV mapping needs \(jsonQuoted(key)) as an object such as {\"column\": \"NAME\"} "
        + "or {\"value\": \"TEXT\"}")
  }
  if let unknown = members.first(where: { !["column", "value", "values"].contains($0.key) }) {
    throw ImportSetupError(
      "the CSV mapping's \(jsonQuoted(key)) has an unknown key \(jsonQuoted(unknown.key)); "
        + "expected column, value or values")
  }
  // Two ways to give the value would leave one unused without a word.
  if members.contains(where: { $0.key == "column" }), members.contains(where: { $0.key == "value" })
  {
    throw ImportSetupError(
      "the CSV mapping's \(jsonQuoted(key)) has both \"column\" and \"value\"; give one")
  }
  if let translations = value["values"], translations.objectMembers == nil {
    throw ImportSetupError(
      "the CSV mapping's \(jsonQuoted(key)).values must be an object from cell text to the "
        + "text to use, such as {\"signup\": \"account.landed\"}")
  }
  var values: [String: String] = [:]
  for (cell, translated) in value["values"]?.objectMembers ?? [] {
    guard let text = translated.stringValue else {
      throw ImportSetupError(
        "the CSV mapping's \(jsonQuoted(key)).values.\(cell) must be a string")
    }
    values[cell] = text
  }
  if let column = value["column"] {
    guard let name = column.stringValue else {
      throw ImportSetupError("the CSV mapping's \(jsonQuoted(key)).column must be a string")
    }
    return CSVMapping.Source(column: name, constant: nil, values: values)
  }
  switch value["value"] {
  case .string(let text)?:
    return CSVMapping.Source(column: nil, constant: text, values: values)
  case .number(let text)?:
    return CSVMapping.Source(column: nil, constant: text, values: values)
  case .bool(let flag)?:
    return CSVMapping.Source(column: nil, constant: flag ? "true" : "false", values: values)
  default:
    throw ImportSetupError(
      "the CSV mapping's \(jsonQuoted(key)) needs \"column\" (a column name) or \"value\" "
        + "(a string, number or boolean)")
  }
}

private func parseID(_ value: JSONValue?) throws(ImportSetupError) -> ([String], String) {
  let allowed = ["column", "columns", "prefix"]
  if let unknown = value?.objectMembers?.first(where: { !allowed.contains($0.key) }) {
    throw ImportSetupError(
      "the CSV mapping's \"id\" has an unknown key \(jsonQuoted(unknown.key)); expected "
        + "column or columns, and prefix")
  }
  if value?["column"] != nil, value?["columns"] != nil {
    throw ImportSetupError("the CSV mapping's \"id\" has both \"column\" and \"columns\"; give one")
  }
  if let prefix = value?["prefix"], prefix.stringValue == nil {
    throw ImportSetupError("the CSV mapping's id.prefix must be a string")
  }
  let prefix = value?.string(at: "prefix") ?? "csv:"
  if let column = value?.string(at: "column") { return ([column], prefix) }
  let columns = value?["columns"]?.arrayElements?.compactMap(\.stringValue) ?? []
  guard !columns.isEmpty, columns.count == value?["columns"]?.arrayElements?.count else {
    throw ImportSetupError(
      "the CSV mapping needs \"id\" as {\"column\": \"NAME\"} or {\"columns\": [\"A\", \"B\"]}: "
        + "the event id must come from the data so that a re-import finds the same ids")
  }
  return (columns, prefix)
}

private func parseData(_ value: JSONValue?) throws(ImportSetupError)
  -> [EventType: [(field: String, source: CSVMapping.Source)]]
{
  guard let members = value?.objectMembers, !members.isEmpty else {
    throw ImportSetupError(
      "the CSV mapping needs \"data\": an object with the data fields of each event type, "
        + "such as {\"usage.recorded\": {\"metric\": {\"value\": \"api_calls\"}, ...}}")
  }
  var result: [EventType: [(field: String, source: CSVMapping.Source)]] = [:]
  for (typeName, fields) in members {
    guard let type = EventType(name: typeName) else {
      throw ImportSetupError(
        "the CSV mapping's data has an unknown event type \(jsonQuoted(typeName))")
    }
    guard let fieldMembers = fields.objectMembers else {
      throw ImportSetupError("the CSV mapping's data.\(typeName) must be an object")
    }
    var list: [(field: String, source: CSVMapping.Source)] = []
    let known = type.dataKeys
    for (field, source) in fieldMembers {
      // Every row of the type would be rejected for it, and --skip-invalid would skip them.
      guard known.contains(field) else {
        throw ImportSetupError(
          "the CSV mapping's data.\(typeName) has an unknown field \(jsonQuoted(field)); "
            + "expected " + known.joined(separator: ", "))
      }
      list.append((field, try parseSource(source, key: "data.\(typeName).\(field)")))
    }
    result[type] = list
  }
  return result
}
