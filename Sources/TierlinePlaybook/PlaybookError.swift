/// The reason a playbook file was rejected, with the field at fault.
public struct PlaybookError: Error, Hashable, CustomStringConvertible, Sendable {
  /// The path of the field, such as `tiers[1].limits[0].limit`, or empty for the whole file.
  public var field: String
  /// The problem with the field, such as `unknown key`.
  public var reason: String

  /// Creates an error for `field`.
  public init(field: String, reason: String) {
    self.field = field
    self.reason = reason
  }

  public var description: String {
    field.isEmpty ? "invalid playbook: \(reason)" : "invalid playbook field \(field): \(reason)"
  }
}
