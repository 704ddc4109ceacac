/// The unit-economics formulas, exact over fractions.
///
/// Money is a fraction of major units (6000 for $6,000.00); callers round when they
/// format, half to even at the currency's minor unit.
public enum UnitEconomics {
  /// Returns the probability-weighted ACV over observed outcomes: Σ share × ACV.
  ///
  /// Landing $6,000, tier 2 $18,000 and top $36,000 at shares 7/10, 2/10 and 1/10 give
  /// exactly 11,400.
  public static func expectedACV(_ outcomes: [(share: Fraction, acv: Fraction)]) -> Fraction {
    outcomes.reduce(Fraction.zero) { sum, outcome in sum + outcome.share * outcome.acv }
  }

  /// Returns the largest CAC that pays back within `paybackMonths`:
  /// ACV × gross margin × payback months / 12.
  public static func maximumCAC(acv: Fraction, grossMargin: Fraction, paybackMonths: Int)
    -> Fraction
  {
    acv * grossMargin * Fraction(Int128(paybackMonths), 12)
  }

  /// Returns the months of gross margin that repay `cac`: CAC / (ACV × gross margin / 12).
  /// - Returns: nil when the ACV or the margin is zero, so nothing is ever repaid.
  public static func paybackMonths(cac: Fraction, acv: Fraction, grossMargin: Fraction)
    -> Fraction?
  {
    cac.divided(by: acv * grossMargin * Fraction(1, 12))
  }
}
