/// A stored record whose header is checked but whose checksum is not yet.
///
/// Full passes that hand each record to one of several threads check each checksum
/// once, on the thread that uses the record: see `ReadTransaction.scanHeaders`. Like
/// `RecordView`, it points into the map and is valid only inside the `read` closure.
public struct StoredRecord {
  /// The global position in the log, starting at 1.
  public let position: UInt64
  /// The whole record, header included.
  @usableFromInline
  let bytes: UnsafeRawBufferPointer

  /// The transaction time, in microseconds since the epoch.
  @inline(__always)
  public var recordedAt: Int64 {
    Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8, as: Int64.self))
  }

  /// The valid time, in microseconds since the epoch.
  @inline(__always)
  public var occurredAt: Int64 {
    Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 16, as: Int64.self))
  }

  /// The number the ledger gave the record's originator (storage format 3); 0 when the
  /// record carries none. Not yet covered by a checksum check.
  @inline(__always)
  public var uncheckedOriginatorNumber: UInt32 {
    RecordLayout.originatorNumber(of: bytes)
  }

  /// The encoded event, not yet covered by a checksum check.
  @inlinable @inline(__always)
  public var uncheckedContent: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: bytes[RecordLayout.headerSize...])
  }

  /// Checks the checksum, without building the record's view. It is inlinable, so a
  /// full replay checks each record without a call into this module.
  /// - Throws: `.corrupt` naming the position on a checksum mismatch.
  @inlinable @inline(__always)
  public func checkChecksum() throws(StoreError) {
    _ = try RecordLayout.checkChecksum(bytes, position: position)
  }

  /// Checks the checksum and returns the record's view.
  /// - Throws: `.corrupt` naming the position on a checksum mismatch.
  public func checked() throws(StoreError) -> RecordView {
    try RecordLayout.decode(bytes, position: position)
  }
}
