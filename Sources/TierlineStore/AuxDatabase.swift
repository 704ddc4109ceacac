/// A key/value database kept beside the log for data that is not an event.
public enum AuxDatabase: String, CaseIterable, Sendable {
  /// Rules (playbook) versions and their activations.
  case rules
  /// Stored projection checkpoints.
  case checkpoints
}
