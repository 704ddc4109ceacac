/// The outcome of appending one batch.
public struct AppendReport: Sendable, Equatable {
  /// The global positions of the newly stored records, in batch order.
  public var appendedPositions: [UInt64]
  /// The batch indexes skipped because an identical record was already stored.
  public var duplicateIndexes: [Int]
  /// The transaction time stamped on every record of this batch, in microseconds.
  ///
  /// When the whole batch was skipped, no record carries it.
  public var recordedAt: Int64

  /// Creates a report.
  public init(appendedPositions: [UInt64], duplicateIndexes: [Int], recordedAt: Int64) {
    self.appendedPositions = appendedPositions
    self.duplicateIndexes = duplicateIndexes
    self.recordedAt = recordedAt
  }
}
