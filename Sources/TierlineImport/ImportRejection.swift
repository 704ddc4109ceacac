/// An input record that an importer cannot turn into an event: where, which field, why.
///
/// The description reads `line 7: data.quantity (column calls): "9,99" ...`.
public struct ImportRejection: Error, Hashable, Sendable, CustomStringConvertible {
  /// The 1-based line of the record, or its 1-based position in a JSON array.
  public var line: Int
  /// `line` for text formats, `item` for the elements of a JSON array.
  public var unit: String
  /// The field or column at fault; nil when the record as a whole is.
  public var field: String?
  /// The problem in plain words.
  public var reason: String

  /// Creates a rejection.
  public init(line: Int, unit: String = "line", field: String?, reason: String) {
    self.line = line
    self.unit = unit
    self.field = field
    self.reason = reason
  }

  public var description: String {
    var text = "\(unit) \(line): "
    if let field { text += field + ": " }
    return text + reason
  }
}
