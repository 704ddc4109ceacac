/// A stored record read in place from the map.
///
/// `content` points into LMDB's memory map: it is valid only inside the `read` closure
/// that produced it. Copy the bytes to keep them longer.
public struct RecordView {
  /// The global position in the log, starting at 1.
  public let position: UInt64
  /// The transaction time, in microseconds since the epoch.
  public let recordedAt: Int64
  /// The valid time, in microseconds since the epoch.
  public let occurredAt: Int64
  /// The encoded event.
  public let content: UnsafeRawBufferPointer
  /// The stored CRC-32C, already checked against the record's bytes.
  public let checksum: UInt32
  /// The number the ledger gave the record's originator (storage format 3); 0 when the
  /// record carries none.
  public let originatorNumber: UInt32

  /// The number of bytes the record takes, header included.
  public var storedSize: Int { RecordLayout.size(contentCount: content.count) }
}
