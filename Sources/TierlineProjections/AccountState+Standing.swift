import TierlineEvents

extension AccountState {
  /// The current tier, or nil unless the account is active.
  public var currentTier: String? {
    status == .active ? tier : nil
  }

  /// The current ACV in minor units of `currentCurrencyDigits`; 0 unless active.
  public var currentACVMinorUnits: Int64 {
    status == .active ? acvMinorUnits : 0
  }

  /// The number of decimal digits of the current ACV's currency.
  public var currentCurrencyDigits: Int { currencyDigits }

  /// The IANA time zone of the latest landing; `UTC` before the first.
  public var timeZoneIdentifier: String { zoneIdentifier }
}
