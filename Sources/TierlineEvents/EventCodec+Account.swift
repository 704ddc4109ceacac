extension EventCodec {
  /// Returns the account id's UTF-8 bytes inside an encoded event, without decoding the
  /// rest of it.
  ///
  /// The returned buffer is a slice of `bytes`. Only the header and the two length
  /// prefixes are checked; `decode(_:)` checks everything.
  /// - Throws: `EventCodecError` when the record ends before the account id does.
  public static func accountBytes(in bytes: UnsafeRawBufferPointer) throws(EventCodecError)
    -> UnsafeRawBufferPointer
  {
    // The id starts after the version, type and schema bytes and the 8-byte occurred_at.
    let idOffset = 11
    // Ids and account ids are shorter than 128 bytes in most ledgers, so both lengths
    // are usually one byte each.
    if bytes.count > idOffset, bytes[idOffset] < 0x80 {
      let accountOffset = idOffset + 1 + Int(bytes[idOffset])
      if accountOffset < bytes.count, bytes[accountOffset] < 0x80 {
        let start = accountOffset + 1
        let end = start + Int(bytes[accountOffset])
        if end <= bytes.count {
          return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        }
      }
    }
    guard bytes.count > idOffset else {
      throw EventCodecError(offset: bytes.count, reason: "record ends before the event id")
    }
    var reader = RecordReader(bytes: bytes)
    reader.index = idOffset
    let idLength = try reader.varint()
    guard idLength <= UInt64(bytes.count - reader.index) else {
      throw EventCodecError(offset: reader.index, reason: "record ends in the event id")
    }
    reader.index += Int(idLength)
    let accountLength = try reader.varint()
    guard accountLength <= UInt64(bytes.count - reader.index) else {
      throw EventCodecError(offset: reader.index, reason: "record ends in the account id")
    }
    return UnsafeRawBufferPointer(
      rebasing: bytes[reader.index..<(reader.index + Int(accountLength))])
  }
}
