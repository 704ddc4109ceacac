extension Timestamp {
  /// Parses an RFC 3339 date-time with a mandatory offset (`Z`, `+hh:mm` or `-hh:mm`).
  ///
  /// Accepts `T`, `t` or a space between date and time, and up to six fractional
  /// digits; more digits would not be exact in microseconds and are rejected.
  /// A leap second (`:60`) is rejected because the ledger's time line has none.
  /// - Returns: nil when the text is not such a timestamp, names an impossible date, or
  ///   names an instant outside `Timestamp.minimum...Timestamp.maximum`.
  public init?(rfc3339 text: some StringProtocol) {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, bytes.count <= 40 else { return nil }
    guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
      bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
    else { return nil }
    let separator = bytes[10]
    guard
      separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t")
        || separator == UInt8(ascii: " ")
    else { return nil }
    guard let year = parseDigits(bytes[0..<4]), let month = parseDigits(bytes[5..<7]),
      let day = parseDigits(bytes[8..<10]), let hour = parseDigits(bytes[11..<13]),
      let minute = parseDigits(bytes[14..<16]), let second = parseDigits(bytes[17..<19])
    else { return nil }
    guard let date = CivilDate(year: year, month: month, day: day), hour < 24, minute < 60,
      second < 60
    else { return nil }

    var index = 19
    var fraction: Int64 = 0
    if bytes[index] == UInt8(ascii: ".") {
      index += 1
      let start = index
      while index < bytes.count, bytes[index] >= UInt8(ascii: "0"),
        bytes[index] <= UInt8(ascii: "9")
      {
        index += 1
      }
      let digits = index - start
      guard digits >= 1, digits <= 6, let value = parseDigits(bytes[start..<index]) else {
        return nil
      }
      fraction = Int64(value)
      for _ in digits..<6 { fraction *= 10 }
    }

    guard index < bytes.count else { return nil }
    var offsetSeconds = 0
    switch bytes[index] {
    case UInt8(ascii: "Z"), UInt8(ascii: "z"):
      guard index + 1 == bytes.count else { return nil }
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
      guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
        let offsetHours = parseDigits(bytes[(index + 1)..<(index + 3)]),
        let offsetMinutes = parseDigits(bytes[(index + 4)..<(index + 6)]),
        offsetHours < 24, offsetMinutes < 60
      else { return nil }
      offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60)
      if bytes[index] == UInt8(ascii: "-") { offsetSeconds = -offsetSeconds }
    default:
      return nil
    }

    let localSeconds =
      Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    let instant = Timestamp(
      microseconds: (localSeconds - Int64(offsetSeconds)) * 1_000_000 + fraction)

    // An offset can move the instant outside years 1 to 9999 in UTC, where `rfc3339`
    // could not write it back.
    guard instant >= Timestamp.minimum, instant <= Timestamp.maximum else { return nil }
    self = instant
  }

  /// The instant as RFC 3339 in UTC with a `Z` suffix.
  ///
  /// Fractional seconds appear only when non-zero, with trailing zeros removed,
  /// so the text parses back to the same instant.
  public var rfc3339: String {
    let seconds = epochSeconds
    var days = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
      secondOfDay += 86_400
      days -= 1
    }
    let date = CivilDate(daysSinceEpoch: Int(days))
    var fraction = subsecondMicroseconds
    var fractionDigits = 0
    if fraction != 0 {
      fractionDigits = 6
      while fraction % 10 == 0 {
        fraction /= 10
        fractionDigits -= 1
      }
    }
    // YYYY-MM-DDTHH:MM:SS, then "." and the digits when there are any, then Z. Only an
    // instant outside the years a timestamp may hold has a longer date.
    let longDate = (0...9999).contains(date.year) ? nil : date.description
    let dateLength = longDate?.utf8.count ?? 10
    let length = dateLength + 10 + (fractionDigits > 0 ? 1 + fractionDigits : 0)
    return String(unsafeUninitializedCapacity: length) { buffer in
      var writer = DigitWriter(buffer)
      if let longDate {
        for byte in longDate.utf8 { writer.byte(byte) }
      } else {
        writer.date(date)
      }
      writer.byte(UInt8(ascii: "T"))
      writer.digits(Int(secondOfDay / 3600), count: 2)
      writer.byte(UInt8(ascii: ":"))
      writer.digits(Int(secondOfDay % 3600 / 60), count: 2)
      writer.byte(UInt8(ascii: ":"))
      writer.digits(Int(secondOfDay % 60), count: 2)
      if fractionDigits > 0 {
        writer.byte(UInt8(ascii: "."))
        writer.digits(Int(fraction), count: fractionDigits)
      }
      writer.byte(UInt8(ascii: "Z"))
      return writer.count
    }
  }
}

/// Writes fixed-width decimal text into a buffer, for formatting without allocations
/// beyond the final string's.
struct DigitWriter {
  private let buffer: UnsafeMutableBufferPointer<UInt8>
  private(set) var count = 0

  init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
    self.buffer = buffer
  }

  mutating func byte(_ value: UInt8) {
    buffer[count] = value
    count += 1
  }

  /// Writes `value`, which is not negative, as exactly `width` digits, with leading
  /// zeros; the caller makes sure it fits.
  mutating func digits(_ value: Int, count width: Int) {
    var remaining = value
    var index = count + width - 1
    while index >= count {
      buffer[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
      remaining /= 10
      index -= 1
    }
    count += width
  }

  /// Writes `YYYY-MM-DD` for a year from 0 to 9999.
  mutating func date(_ date: CivilDate) {
    digits(date.year, count: 4)
    byte(UInt8(ascii: "-"))
    digits(date.month, count: 2)
    byte(UInt8(ascii: "-"))
    digits(date.day, count: 2)
  }
}

extension Timestamp {
  /// Explains why `text` is not accepted by `init(rfc3339:)`, for error messages.
  public static func rfc3339Problem(_ text: some StringProtocol) -> String {
    let bytes = Array(text.utf8)
    let example = "such as 2024-03-01T09:30:00Z"
    guard bytes.count >= 19 else { return "is not an RFC 3339 timestamp \(example)" }
    // The checks below read fields at fixed byte offsets, so they apply only when those
    // bytes have the layout of a date and time.
    guard hasDateTimeLayout(bytes[0..<19]) else {
      return "is not an RFC 3339 timestamp with an offset, \(example)"
    }
    if let year = parseDigits(bytes[0..<4]), let month = parseDigits(bytes[5..<7]),
      let day = parseDigits(bytes[8..<10]), CivilDate(year: year, month: month, day: day) == nil
    {
      return year == 0
        ? "lies before the year 0001, the first the ledger stores"
        : "names a date that does not exist"
    }
    if bytes[17..<19].elementsEqual("60".utf8) {
      return "has a leap second (:60), which the ledger's time line does not have"
    }
    if let hour = parseDigits(bytes[11..<13]), let minute = parseDigits(bytes[14..<16]),
      let second = parseDigits(bytes[17..<19]), hour > 23 || minute > 59 || second > 59
    {
      return "has a time of day out of range: hours go to 23, minutes and seconds to 59"
    }
    var index = 19
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      let start = index
      while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
      if index - start > 6 { return "has more than 6 fractional digits" }
    }
    if index == bytes.count { return "has no offset: add Z or an offset such as +02:00" }
    if index + 6 == bytes.count,
      bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-"),
      bytes[index + 3] == UInt8(ascii: ":"),
      let hours = parseDigits(bytes[(index + 1)..<(index + 3)]),
      let minutes = parseDigits(bytes[(index + 4)..<(index + 6)]), hours > 23 || minutes > 59
    {
      return "has an offset out of range: hours go to 23 and minutes to 59"
    }
    // The year is four ASCII digits here, so putting 2000 in its place leaves the rest of
    // the text as it was. When that parses, only the year made the instant out of range.
    var yearReplaced = bytes
    yearReplaced.replaceSubrange(0..<4, with: "2000".utf8)
    if Timestamp(rfc3339: String(decoding: yearReplaced, as: UTF8.self)) != nil {
      return "lies outside the years 0001 to 9999 once its offset is applied"
    }
    return "is not an RFC 3339 timestamp with an offset, \(example)"
  }

  /// Returns whether `bytes` has the layout `YYYY-MM-DDTHH:MM:SS`, with ASCII digits in
  /// place of the letters and `T`, `t` or a space between date and time. Field values are
  /// not checked.
  private static func hasDateTimeLayout(_ bytes: ArraySlice<UInt8>) -> Bool {
    let layout = "YYYY-MM-DDTHH:MM:SS".utf8
    guard bytes.count == layout.count else { return false }
    for (byte, expected) in zip(bytes, layout) {
      switch expected {
      case UInt8(ascii: "T"):
        guard byte == UInt8(ascii: "T") || byte == UInt8(ascii: "t") || byte == UInt8(ascii: " ")
        else { return false }
      case UInt8(ascii: "-"), UInt8(ascii: ":"):
        guard byte == expected else { return false }
      default:
        guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return false }
      }
    }
    return true
  }
}
