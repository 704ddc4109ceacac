import TierlineEvents
import TierlineProjections

/// Turns the rows of a CSV file into events through a `CSVMapping`.
public enum CSVImporter {
  /// Data fields written as JSON numbers in the interchange format.
  static let numberFields: Set = ["quantity", "headcount"]
  /// Data fields holding money, written as decimal strings.
  static let moneyFields: Set = ["acv"]
  /// Data fields holding booleans.
  static let booleanFields: Set = ["value_delivered", "approaching_capacity"]

  /// Reads a CSV file and derives one event per row.
  ///
  /// A row that cannot become a valid event is rejected with its line, the event field
  /// and the column it came from. The other rows are still planned.
  /// - Throws: `ImportSetupError` when the file has no header, repeats a column name,
  ///   lacks a mapped column, or the mapping names an unknown time zone.
  public static func plan(
    _ bytes: [UInt8], mapping: CSVMapping, decimalSeparator: DecimalSeparator = .point
  ) throws(ImportSetupError) -> ImportPlan {
    let table: CSVTable
    do {
      table = try CSVReader.read(bytes)
    } catch {
      throw ImportSetupError("the CSV file has no valid header row: \(error)")
    }
    try checkHeader(table.header, mapping: mapping)
    guard let zone = ZoneCalendar(identifier: mapping.dateTimeZone) else {
      throw ImportSetupError(
        "the CSV mapping's date_timezone \(jsonQuoted(mapping.dateTimeZone)) is not a known "
          + "IANA time zone")
    }

    var plan = ImportPlan()
    var errors = table.errors[...]
    for record in table.records {
      while let error = errors.first, error.line < record.line {
        plan.reject(error)
        errors.removeFirst()
      }
      guard record.fields.count == table.header.count else {
        plan.reject(
          line: record.line, field: nil,
          reason: "has \(record.fields.count) fields; the header has \(table.header.count)")
        continue
      }
      let row = Dictionary(uniqueKeysWithValues: zip(table.header, record.fields))
      var converter = RowConverter(
        row: row, line: record.line, mapping: mapping, zone: zone,
        decimalSeparator: decimalSeparator)
      switch converter.draft() {
      case .success(let draft):
        plan.add(draft, line: record.line, fieldNames: converter.fieldNames)
      case .failure(let rejection):
        plan.reject(rejection)
      }
    }
    for error in errors { plan.reject(error) }
    return plan
  }

  private static func checkHeader(
    _ header: [String], mapping: CSVMapping
  ) throws(ImportSetupError) {
    var seen = Set<String>()
    for name in header where !seen.insert(name).inserted {
      throw ImportSetupError(
        "the CSV header names the column \(jsonQuoted(name)) twice; rename one of them")
    }
    let missing = mapping.columns.subtracting(seen).sorted()
    guard missing.isEmpty else {
      throw ImportSetupError(
        "the CSV header lacks the mapped column(s) "
          + missing.map(jsonQuoted).joined(separator: ", ") + "; the header has "
          + header.map(jsonQuoted).joined(separator: ", "))
    }
  }
}

/// Converts one CSV row into the interchange JSON of one event.
private struct RowConverter {
  let row: [String: String]
  let line: Int
  let mapping: CSVMapping
  let zone: ZoneCalendar
  let decimalSeparator: DecimalSeparator
  /// Event field paths mapped to the columns they came from, for error messages.
  var fieldNames: [String: String] = [:]

  init(
    row: [String: String], line: Int, mapping: CSVMapping, zone: ZoneCalendar,
    decimalSeparator: DecimalSeparator
  ) {
    self.row = row
    self.line = line
    self.mapping = mapping
    self.zone = zone
    self.decimalSeparator = decimalSeparator
  }

  private func label(_ field: String, _ source: CSVMapping.Source) -> String {
    source.column.map { "\(field) (column \($0))" } ?? field
  }

  private func reject(_ field: String, _ reason: String) -> ImportRejection {
    ImportRejection(line: line, field: field, reason: reason)
  }

  mutating func draft() -> Result<JSONValue, ImportRejection> {
    var idParts: [String] = []
    for column in mapping.idColumns {
      guard let cell = row[column]?.trimmingSpaces(), !cell.isEmpty else {
        return .failure(reject("id (column \(column))", "is empty; every row needs an id"))
      }
      idParts.append(cell)
    }
    let id = mapping.idPrefix + idParts.joined(separator: ":")

    guard let typeName = mapping.type.read(row) else {
      return .failure(reject(label("type", mapping.type), "is empty"))
    }
    guard let type = EventType(name: typeName) else {
      return .failure(
        reject(
          label("type", mapping.type),
          "\(jsonQuoted(typeName)) is not an event type; map it with \"values\" in the "
            + "mapping's \"type\""))
    }

    let account = mapping.account.read(row) ?? ""
    var occurredAt = ""
    if let text = mapping.occurredAt.read(row) {
      switch normalizeTime(text) {
      case .success(let time): occurredAt = time
      case .failure(let rejection): return .failure(rejection)
      }
    }
    fieldNames["account"] = mapping.account.column.map { "column \($0)" }
    fieldNames["occurred_at"] = mapping.occurredAt.column.map { "column \($0)" }

    var data: [(key: String, value: JSONValue)] = []
    for (field, source) in mapping.data[type] ?? [] {
      if let column = source.column { fieldNames["data." + field] = "column \(column)" }
      guard let text = source.read(row) else { continue }
      switch convert(field: field, source: source, text: text) {
      case .success(let value): data.append((field, value))
      case .failure(let rejection): return .failure(rejection)
      }
    }
    return .success(
      eventDraft(id: id, type: type, account: account, occurredAt: occurredAt, data: data))
  }

  private func convert(
    field: String, source: CSVMapping.Source, text: String
  ) -> Result<JSONValue, ImportRejection> {
    let name = label("data." + field, source)
    if CSVImporter.numberFields.contains(field) || CSVImporter.moneyFields.contains(field) {
      do {
        let number = try DecimalText.normalize(text, separator: decimalSeparator)
        return .success(
          CSVImporter.moneyFields.contains(field) ? .string(number) : .number(number))
      } catch {
        return .failure(reject(name, error.reason))
      }
    }
    if CSVImporter.booleanFields.contains(field) {
      switch text.lowercased() {
      case "true", "yes", "1": return .success(.bool(true))
      case "false", "no", "0": return .success(.bool(false))
      default:
        return .failure(
          reject(name, "\(jsonQuoted(text)) is not a boolean; use true/false, yes/no or 1/0"))
      }
    }
    return .success(.string(text))
  }

  /// Turns a date `YYYY-MM-DD` into the start of that day in the mapping's zone, and
  /// checks other text as RFC 3339.
  ///
  /// The check comes before the event decoder's because the decoder calls a time in year
  /// 0000 a date that does not exist, where the problem is the range of years.
  private func normalizeTime(_ text: String) -> Result<String, ImportRejection> {
    let name = label("occurred_at", mapping.occurredAt)
    guard let date = CivilDate(iso: text) else {
      guard Timestamp(rfc3339: text) != nil else {
        return .failure(reject(name, "\(jsonQuoted(text)) \(ImportTime.rfc3339Problem(text))"))
      }
      return .success(text)
    }
    let start = zone.startOfDay(date)
    guard ImportTime.isInRange(start) else {
      return .failure(
        reject(
          name,
          "\(jsonQuoted(text)) begins at \(start.rfc3339) in \(zone.identifier), which "
            + "\(ImportTime.outsideYears); use a later date"))
    }
    return .success(start.rfc3339)
  }
}
