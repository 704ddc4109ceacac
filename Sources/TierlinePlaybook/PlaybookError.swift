/// Why a playbook file was rejected, naming the field at fault.
public struct PlaybookError: Error, Hashable, CustomStringConvertible, Sendable {
  /// The path of the field, such as `tiers[1].limits[0].limit`; empty for the whole file.
  public var field: String
  /// What is wrong with the field.
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
