/// An exact amount of money in the minor units of an ISO 4217 currency.
///
/// Amounts never pass through binary floating point: "144.20" USD is 14420 cents.
public struct Money: Hashable, Sendable {
  /// The amount in minor units (cents for USD, yen for JPY, fils for KWD).
  public var minorUnits: Int64
  /// The currency.
  public var currency: Currency

  /// Creates an amount from minor units.
  public init(minorUnits: Int64, currency: Currency) {
    self.minorUnits = minorUnits
    self.currency = currency
  }

  /// Parses a decimal string such as `"6000.00"`, `"6000"` or `"-12.5"`.
  ///
  /// Fractional digits beyond the currency's minor unit are rejected, not rounded.
  /// - Throws: `MoneyError` naming what is wrong with the text.
  public init(decimal text: some StringProtocol, currency: Currency) throws(MoneyError) {
    let bytes = Array(text.utf8)
    var index = 0
    var negative = false
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
      negative = true
      index += 1
    }
    var whole: Int64 = 0
    var wholeDigits = 0
    while index < bytes.count, let digit = decimalDigit(bytes[index]) {
      let (shifted, overflow1) = whole.multipliedReportingOverflow(by: 10)
      let (sum, overflow2) = shifted.addingReportingOverflow(digit)
      guard !overflow1, !overflow2 else { throw .outOfRange }
      whole = sum
      wholeDigits += 1
      index += 1
    }
    guard wholeDigits > 0 else { throw .notDecimal }
    var fraction: Int64 = 0
    var fractionDigits = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      while index < bytes.count, let digit = decimalDigit(bytes[index]) {
        fraction = fraction * 10 + digit
        fractionDigits += 1
        index += 1
        guard fractionDigits <= currency.minorUnitDigits else {
          throw .tooManyDecimals(allowed: currency.minorUnitDigits)
        }
      }
      guard fractionDigits > 0 else { throw .notDecimal }
    }
    guard index == bytes.count else { throw .notDecimal }
    for _ in fractionDigits..<currency.minorUnitDigits { fraction *= 10 }
    let (scaled, overflow1) = whole.multipliedReportingOverflow(by: currency.minorUnitsPerMajor)
    let (total, overflow2) = scaled.addingReportingOverflow(fraction)
    guard !overflow1, !overflow2 else { throw .outOfRange }
    self.init(minorUnits: negative ? -total : total, currency: currency)
  }

  /// The amount as a decimal string with exactly the currency's minor-unit digits.
  public var decimalString: String {
    Money.format(minorUnits: minorUnits, digits: currency.minorUnitDigits)
  }

  /// Formats minor units as a decimal string with `digits` fractional digits.
  ///
  /// The digits are written straight into the string's storage, from the last one back,
  /// because a replay formats every active account's ACV.
  public static func format(minorUnits: Int64, digits: Int) -> String {
    precondition(digits >= 0, "a negative number of fractional digits")
    var rest = minorUnits.magnitude
    // The digits of the amount in minor units, with zeros in front so that at least one
    // digit comes before the decimal point.
    var digitCount = 1
    var probe = rest
    while probe >= 10 {
      probe /= 10
      digitCount += 1
    }
    digitCount = max(digitCount, digits + 1)
    let sign = minorUnits < 0 ? 1 : 0
    let length = sign + digitCount + (digits > 0 ? 1 : 0)
    return String(unsafeUninitializedCapacity: length) { buffer in
      var index = length
      for written in 0..<digitCount {
        if written == digits, digits > 0 {
          index -= 1
          buffer[index] = UInt8(ascii: ".")
        }
        index -= 1
        buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
      }
      if sign == 1 { buffer[0] = UInt8(ascii: "-") }
      return length
    }
  }
}

/// The reason a decimal money string was rejected.
public enum MoneyError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The text is not a plain decimal number such as `1234.50`.
  case notDecimal
  /// The text has more fractional digits than the currency's minor unit.
  case tooManyDecimals(allowed: Int)
  /// The amount does not fit in 64-bit minor units.
  case outOfRange

  public var description: String {
    switch self {
    case .notDecimal:
      return "not a decimal amount such as \"6000.00\""
    case .tooManyDecimals(let allowed):
      return "more than \(allowed) decimal places for this currency"
    case .outOfRange:
      return "amount out of range"
    }
  }
}

/// An ISO 4217 currency code with the number of digits of its minor unit.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
  /// The three-letter upper-case code, such as `USD`.
  public let code: String
  /// Digits after the decimal point: 2 for USD, 0 for JPY, 3 for KWD.
  public let minorUnitDigits: Int

  /// Creates a currency from its code; returns nil unless it is three letters A–Z.
  ///
  /// Minor units follow ISO 4217: codes listed here with 0 or 3 digits use those,
  /// every other code uses 2.
  public init?(code: some StringProtocol) {
    var packed: UInt32 = 0
    var count = 0
    for byte in code.utf8 {
      guard count < 3, byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { return nil }
      packed = packed << 8 | UInt32(byte)
      count += 1
    }
    guard count == 3 else { return nil }
    if packed == Currency.packedUSD {
      self = .usd
      return
    }
    self.code = String(code)
    if Currency.zeroDigitCodes.contains(packed) {
      minorUnitDigits = 0
    } else if Currency.threeDigitCodes.contains(packed) {
      minorUnitDigits = 3
    } else {
      minorUnitDigits = 2
    }
  }

  /// Minor units in one major unit: 100 for USD.
  public var minorUnitsPerMajor: Int64 {
    var value: Int64 = 1
    for _ in 0..<minorUnitDigits { value *= 10 }
    return value
  }

  public var description: String { code }

  /// US dollars.
  public static let usd = Currency(uncheckedCode: "USD", digits: 2)

  private init(uncheckedCode: String, digits: Int) {
    code = uncheckedCode
    minorUnitDigits = digits
  }

  // The codes below are packed as in `init?(code:)`, the first letter in the highest
  // of three bytes, so a lookup compares integers instead of hashing a string.
  private static let packedUSD = packed("USD")
  private static let zeroDigitCodes: [UInt32] = [
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
    "VND", "VUV", "XAF", "XOF", "XPF",
  ].map(packed)
  private static let threeDigitCodes: [UInt32] = [
    "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",
  ].map(packed)

  private static func packed(_ code: String) -> UInt32 {
    code.utf8.reduce(0) { $0 << 8 | UInt32($1) }
  }
}

private func decimalDigit(_ byte: UInt8) -> Int64? {
  byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
}
