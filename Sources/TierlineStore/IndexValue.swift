/// One `originators` value, read in place from the map.
///
/// Format 1 values are the 16-byte entry alone. Format 2 values add the entry's
/// checksum and, when it fits, a copy of the record; see `KeyLayout`.
public struct IndexValue {
  /// The occurred time the entry sorts by.
  public let occurredAt: Int64
  /// The record's position in the log.
  public let position: UInt64
  /// The record copy, unchecked, when the value carries one.
  public let copy: UnsafeRawBufferPointer?
  /// The entry's 16 bytes.
  let entry: UnsafeRawBufferPointer
  /// The checksum binding the entry to its record, in format 2.
  let check: UInt32?

  /// Reads a stored value, or returns nil when its size fits neither format.
  init?(_ bytes: UnsafeRawBufferPointer, copiesRecords: Bool) {
    let entrySize = KeyLayout.originatorEntrySize
    let prefix = entrySize + KeyLayout.entryCheckSize
    if copiesRecords {
      guard
        bytes.count == prefix
          || (bytes.count >= prefix + RecordLayout.headerSize
            && bytes.count <= KeyLayout.maximumOriginatorValueSize)
      else { return nil }
      check = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: entrySize, as: UInt32.self))
      copy = bytes.count > prefix ? UnsafeRawBufferPointer(rebasing: bytes[prefix...]) : nil
    } else {
      guard bytes.count == entrySize else { return nil }
      check = nil
      copy = nil
    }
    entry = UnsafeRawBufferPointer(rebasing: bytes[..<entrySize])
    (occurredAt, position) = KeyLayout.originatorEntry(in: bytes, at: 0)
  }

  /// Reads an entry of a format 4 run, whose key ends with the entry and whose value
  /// contains the checksum and the copy, or returns nil when a size fits no record.
  init?(runKey key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
    let entrySize = KeyLayout.originatorEntrySize
    let checkSize = KeyLayout.entryCheckSize
    guard key.count == RunLayout.accountKeySize,
      value.count == checkSize
        || (value.count >= checkSize + RecordLayout.headerSize
          && value.count <= KeyLayout.maximumOriginatorValueSize - entrySize)
    else { return nil }
    entry = UnsafeRawBufferPointer(rebasing: key[(key.count - entrySize)...])
    check = UInt32(littleEndian: value.loadUnaligned(as: UInt32.self))
    copy = value.count > checkSize ? UnsafeRawBufferPointer(rebasing: value[checkSize...]) : nil
    (occurredAt, position) = KeyLayout.originatorEntry(in: entry, at: 0)
  }

  /// Whether the value carries a checksum binding it to its record (format 2).
  public var isChecked: Bool { check != nil }

  /// Returns whether the entry's checksum matches the stored CRC-32C of its record; a
  /// format 1 entry, which has none, always matches.
  public func matches(recordChecksum: UInt32) -> Bool {
    guard let check else { return true }
    return KeyLayout.entryCheck(entry: entry, recordChecksum: recordChecksum) == check
  }
}
