/// Returns the length of the well-formed UTF-8 sequence that starts at `index`, or nil
/// when the bytes there are not well-formed UTF-8 (RFC 3629).
///
/// Rejects overlong forms, encoded surrogates (U+D800–U+DFFF), code points above
/// U+10FFFF and sequences cut off by the end of the buffer.
@inline(__always)
func utf8SequenceLength(in bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
  let lead = bytes[index]
  if lead < 0x80 { return 1 }
  let count: Int
  var lower: UInt8 = 0x80
  var upper: UInt8 = 0xBF
  switch lead {
  case 0xC2...0xDF: count = 2
  case 0xE0: count = 3; lower = 0xA0
  case 0xE1...0xEC, 0xEE...0xEF: count = 3
  case 0xED: count = 3; upper = 0x9F
  case 0xF0: count = 4; lower = 0x90
  case 0xF1...0xF3: count = 4
  case 0xF4: count = 4; upper = 0x8F
  default: return nil
  }
  guard index + count <= bytes.count else { return nil }
  let second = bytes[index + 1]
  guard second >= lower, second <= upper else { return nil }
  for offset in 2..<count where bytes[index + offset] & 0xC0 != 0x80 {
    return nil
  }
  return count
}

/// Returns the offset of the first byte that does not begin well-formed UTF-8, or nil
/// when the whole buffer is valid UTF-8.
func firstInvalidUTF8Offset(in bytes: UnsafeRawBufferPointer) -> Int? {
  var index = 0
  while index < bytes.count {
    // Most text is ASCII, so it is checked eight bytes at a time. A word with a byte of
    // 0x80 or more is checked one sequence at a time, then the words go on.
    if bytes.count - index >= 8,
      bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
    {
      index += 8
      continue
    }
    if bytes[index] < 0x80 {
      index += 1
      continue
    }
    guard let length = utf8SequenceLength(in: bytes, at: index) else { return index }
    index += length
  }
  return nil
}
