import TierlineEvents

/// Splits a JSON input into records: a JSON array, an object with a `data` array, one
/// object, or newline-delimited JSON (one object per line).
enum JSONRecords {
  /// Reads the records with their 1-based line numbers (NDJSON) or array positions.
  /// - Returns: the records, the lines that are not valid JSON, the unit name used in
  ///   rejections (`line` or `item`), and whether the input is a list object with
  ///   `"has_more": true`, one page of a longer list.
  static func read(_ bytes: [UInt8]) -> (
    records: [(line: Int, value: JSONValue)], errors: [ImportRejection], unit: String,
    hasMore: Bool
  ) {
    var body = bytes[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    let first = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
    if first == UInt8(ascii: "[") || first == UInt8(ascii: "{"),
      let document = try? JSONValue.parse(Array(body))
    {
      if let elements = document.arrayElements {
        return (elements.enumerated().map { ($0.offset + 1, $0.element) }, [], "item", false)
      }
      if document["type"] == nil, let elements = document["data"]?.arrayElements {
        let hasMore = document["has_more"] == .bool(true)
        return (elements.enumerated().map { ($0.offset + 1, $0.element) }, [], "item", hasMore)
      }
      if document["type"] != nil { return ([(1, document)], [], "line", false) }
    }

    var records: [(line: Int, value: JSONValue)] = []
    var errors: [ImportRejection] = []
    for (index, line) in body.split(separator: 0x0A, omittingEmptySubsequences: false)
      .enumerated()
    {
      var content = Array(line)
      if content.last == 0x0D { content.removeLast() }
      guard content.contains(where: { ![0x20, 0x09].contains($0) }) else { continue }
      do {
        records.append((index + 1, try JSONValue.parse(content)))
      } catch {
        errors.append(ImportRejection(line: index + 1, field: nil, reason: error.description))
      }
    }
    return (records, errors, "line", false)
  }
}
