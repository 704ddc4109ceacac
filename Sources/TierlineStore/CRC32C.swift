import CTierlineCRC

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78).
///
/// It uses the processor's CRC32 instruction where there is one (SSE 4.2 on x86-64) and
/// otherwise tables, eight bytes at a time. The check value of the ASCII bytes
/// "123456789" is 0xE3069283.
@usableFromInline
enum CRC32C {
  /// Whether `checksum` uses the processor's instruction. The C side detects it when the
  /// program loads, so reading it is one load. A static constant would cost a call per
  /// checksum to check that it is initialized.
  @inlinable @inline(__always)
  static var usesHardware: Bool { tierline_crc32c_uses_hardware() == 1 }

  /// Returns the CRC-32C of `bytes`.
  @inlinable @inline(__always)
  static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    guard usesHardware else { return tableChecksum(bytes) }
    return ~tierline_crc32c_hardware(0xFFFF_FFFF, bytes.baseAddress, bytes.count)
  }

  /// Returns the CRC-32C of `first` followed by `second`, as if they were one run of
  /// bytes.
  @inlinable @inline(__always)
  static func checksum(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer)
    -> UInt32
  {
    guard usesHardware else { return ~tableUpdate(tableUpdate(0xFFFF_FFFF, first), second) }
    return ~tierline_crc32c_hardware_pair(
      0xFFFF_FFFF, first.baseAddress, first.count, second.baseAddress, second.count)
  }

  /// Eight 256-entry tables: table k gives the CRC of a byte followed by k zero bytes.
  static let tables: [UInt32] = {
    var tables = [UInt32](repeating: 0, count: 8 * 256)
    for index in 0..<256 {
      var crc = UInt32(index)
      for _ in 0..<8 {
        crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
      }
      tables[index] = crc
    }
    for slice in 1..<8 {
      for index in 0..<256 {
        let previous = tables[(slice - 1) * 256 + index]
        tables[slice * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
      }
    }
    return tables
  }()

  /// Returns the CRC-32C of `bytes` computed with the tables.
  @usableFromInline
  static func tableChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    ~tableUpdate(0xFFFF_FFFF, bytes)
  }

  /// Returns the register after feeding `bytes` into a CRC-32C register holding `state`,
  /// before the final inversion.
  @usableFromInline
  static func tableUpdate(_ state: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
    tables.withUnsafeBufferPointer { table in
      var crc = state
      var offset = 0
      let count = bytes.count

      while count - offset >= 8 {
        let word = UInt64(
          littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let low = UInt32(truncatingIfNeeded: word) ^ crc
        let high = UInt32(truncatingIfNeeded: word >> 32)
        crc =
          table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
          ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
          ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
          ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
        offset += 8
      }

      while offset < count {
        crc = table[Int((crc ^ UInt32(bytes[offset])) & 0xFF)] ^ (crc >> 8)
        offset += 1
      }
      return crc
    }
  }
}
