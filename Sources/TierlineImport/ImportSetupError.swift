/// A problem with an importer's configuration or with an input file as a whole, such as
/// an invalid mapping file or a CSV header without a mapped column.
///
/// Unlike an `ImportRejection`, it concerns no single record, so nothing is imported.
public struct ImportSetupError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The problem in plain words, naming the value and what to change.
  public var message: String

  /// Creates an error.
  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }
}
