/// One record of a CSV file: its fields and the line it starts on.
public struct CSVRecord: Hashable, Sendable {
  /// The 1-based physical line on which the record starts.
  public var line: Int
  /// The fields with quotes removed and doubled quotes resolved.
  public var fields: [String]
}

/// A CSV file split into a header and records, with the records that could not be read.
public struct CSVTable: Sendable {
  /// The first record: the column names.
  public var header: [String]
  /// Every record after the header.
  public var records: [CSVRecord]
  /// Records that break RFC 4180, such as an unterminated quoted field.
  public var errors: [ImportRejection]
}

/// A reader of RFC 4180 CSV: comma-separated fields, double-quoted fields that may hold
/// commas, line breaks and doubled quotes, and records ended by CRLF or LF.
///
/// A UTF-8 byte-order mark at the start is skipped. Blank lines are skipped but counted,
/// so line numbers match the file even when quoted fields span lines. A quote inside an
/// unquoted field, text after a closing quote, a CR not followed by LF outside quotes
/// and invalid UTF-8 make the record an error, and reading resumes at the next line.
public enum CSVReader {
  /// Reads a whole CSV file.
  /// - Throws: `ImportRejection` when the file has no header record, or its first record
  ///   cannot be read.
  public static func read(_ bytes: [UInt8]) throws(ImportRejection) -> CSVTable {
    var parser = CSVParser(bytes: bytes)
    var header: [String]?
    var records: [CSVRecord] = []
    var errors: [ImportRejection] = []
    while let result = parser.nextRecord() {
      switch result {
      case .success(let record):
        if header == nil {
          header = record.fields
        } else {
          records.append(record)
        }
      case .failure(let error):
        // The rows mean nothing without their header, and taking the next row as the
        // header would import the file under wrong column names.
        guard header != nil else { throw error }
        errors.append(error)
      }
    }
    guard let header else {
      throw errors.first
        ?? ImportRejection(line: 1, field: nil, reason: "the file is empty; expected a header row")
    }
    return CSVTable(header: header, records: records, errors: errors)
  }
}

private let quote = UInt8(ascii: "\"")
private let comma = UInt8(ascii: ",")
private let lineFeed = UInt8(ascii: "\n")
private let carriageReturn = UInt8(ascii: "\r")

/// The state of one pass over the bytes of a CSV file.
private struct CSVParser {
  let bytes: [UInt8]
  var index = 0
  var line = 1

  init(bytes: [UInt8]) {
    self.bytes = bytes
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  /// Returns the next record or error, or nil at the end of the input.
  mutating func nextRecord() -> Result<CSVRecord, ImportRejection>? {
    while index < bytes.count, atLineEnd() {
      consumeLineEnd()
    }
    guard index < bytes.count else { return nil }

    let startLine = line
    var fields: [String] = []
    while true {
      let field: [UInt8]
      do throws(CSVSyntaxError) {
        field = try readField()
      } catch {
        skipRestOfLine()
        return .failure(ImportRejection(line: startLine, field: nil, reason: error.reason))
      }
      guard let text = String(validating: field, as: UTF8.self) else {
        skipRestOfLine()
        return .failure(
          ImportRejection(
            line: startLine, field: "column \(fields.count + 1)",
            reason: "is not valid UTF-8"))
      }
      fields.append(text)

      if index < bytes.count, bytes[index] == comma {
        index += 1
        continue
      }
      if index < bytes.count, bytes[index] == carriageReturn,
        index + 1 >= bytes.count || bytes[index + 1] != lineFeed
      {
        skipRestOfLine()
        return .failure(
          ImportRejection(
            line: startLine, field: nil,
            reason: "has a carriage return that is not followed by a line feed"))
      }
      consumeLineEnd()
      return .success(CSVRecord(line: startLine, fields: fields))
    }
  }

  private func atLineEnd() -> Bool {
    bytes[index] == lineFeed
      || (bytes[index] == carriageReturn && index + 1 < bytes.count
        && bytes[index + 1] == lineFeed)
  }

  private mutating func consumeLineEnd() {
    guard index < bytes.count else { return }
    if bytes[index] == carriageReturn { index += 1 }
    if index < bytes.count, bytes[index] == lineFeed {
      index += 1
      line += 1
    }
  }

  private mutating func skipRestOfLine() {
    while index < bytes.count, bytes[index] != lineFeed { index += 1 }
    consumeLineEnd()
  }

  /// Reads one field and stops before its delimiter: a comma, a line end or the end.
  private mutating func readField() throws(CSVSyntaxError) -> [UInt8] {
    var field: [UInt8] = []
    guard index < bytes.count, bytes[index] == quote else {
      while index < bytes.count {
        let byte = bytes[index]
        if byte == comma || byte == lineFeed || byte == carriageReturn { break }
        if byte == quote {
          throw CSVSyntaxError(
            reason: "has a double quote inside an unquoted field; quote the whole field "
              + "and double the quote (\"\")")
        }
        field.append(byte)
        index += 1
      }
      return field
    }

    let openingLine = line
    index += 1
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      if byte == lineFeed { line += 1 }
      guard byte == quote else {
        field.append(byte)
        continue
      }
      if index < bytes.count, bytes[index] == quote {
        field.append(quote)
        index += 1
        continue
      }
      guard
        index == bytes.count || bytes[index] == comma || bytes[index] == lineFeed
          || bytes[index] == carriageReturn
      else {
        throw CSVSyntaxError(
          reason: "has text after the closing quote of a quoted field; double a quote "
            + "inside a field (\"\")")
      }
      return field
    }
    throw CSVSyntaxError(
      reason: "has a quoted field opened on line \(openingLine) that is never closed")
  }
}

/// A violation of RFC 4180 inside one record.
private struct CSVSyntaxError: Error {
  var reason: String
}
