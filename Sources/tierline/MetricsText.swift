import TierlineMetrics

/// The human-readable layout of `tierline metrics`.
enum MetricsText {
  /// Lays out the metrics as lines of text. The last column tells which windows have
  /// ended for every account of the cohort: `24m`, `12m` or `no`.
  static func lines(_ metrics: PortfolioMetrics) -> [String] {
    let options = metrics.options
    var lines = [
      "As of \(options.asOf.rfc3339), known at \(options.knownAt.rfc3339), "
        + "rules \(metrics.rulesVersion)",
      "Accounts landed: \(metrics.accounts)"
        + (metrics.accounts == 0
          ? " (no landing had both occurred by the as-of time and been recorded by the "
            + "known-at time above)" : ""),
      "",
      "Expected ACV:        \(metrics.moneyText(metrics.expectedACV))"
        + (metrics.expectedACV == nil ? "" : " \(metrics.currency)")
        + "  (landing ACV \(metrics.moneyText(metrics.landingACV)))",
    ]
    for outcome in metrics.outcomes {
      lines.append(
        "  " + outcome.tier.rightPadded(12) + metrics.percentText(outcome.share).leftPadded(7)
          + "  " + counted(outcome.accounts, "account") + " at \(metrics.moneyText(outcome.acv))")
    }
    lines += [
      "Expansion rate 12m:  \(metrics.percentText(metrics.expansionRate12Months))"
        + "  (\(metrics.expandedWithin12Months) of \(metrics.accounts); "
        + "\(metrics.expansionWindowOpen) still inside their first 12 months)",
      "NRR (12 months):     \(metrics.percentText(metrics.retention.nrr))"
        + "  expansion \(metrics.moneyText(metrics.retention.expansion)), contraction "
        + "\(metrics.moneyText(metrics.retention.contraction)), churn "
        + "\(metrics.moneyText(metrics.retention.churn))",
      "TTFV days:           median \(medianText(metrics.ttfv.median)), p90 "
        + "\(metrics.ttfv.percentile90.map(String.init) ?? "-")"
        + " (" + counted(metrics.ttfv.accounts, "account") + " with first value)",
    ]
    for band in metrics.ttfv.bands {
      lines.append(
        "  TTFV " + band.label.rightPadded(7) + counted(band.accounts, "account")
          + ", expansion rate 12m "
          + metrics.percentText(band.expansionRate12Months))
    }
    lines += [
      "Max CAC:             \(metrics.moneyText(metrics.maximumCAC)) at gross margin "
        + "\(metrics.ratioText(options.grossMargin)), payback \(options.paybackMonths) months",
      "CAC payback months:  \(metrics.monthsText(metrics.paybackMonthsOnLandingACV)) on landing "
        + "ACV, \(metrics.monthsText(metrics.paybackMonthsOnExpectedACV)) on expected ACV "
        + "(CAC \(metrics.moneyText(metrics.cac)))",
      "Expansion ARR:       \(metrics.moneyText(metrics.attribution.total)) from "
        + counted(metrics.attribution.expansions, "expansion") + ", unattributed "
        + "\(metrics.moneyText(metrics.attribution.unattributed)) "
        + "(\(metrics.percentText(metrics.attribution.unattributedShare)))",
    ]
    for (type, arr) in metrics.attribution.byTrigger {
      lines.append("  trigger " + type.rightPadded(15) + metrics.moneyText(arr).leftPadded(14))
    }
    if !metrics.attribution.byTrigger.isEmpty {
      lines.append("  (an expansion credited to several triggers counts in each trigger's line)")
    }
    for (owner, arr) in metrics.attribution.byOwner {
      lines.append("  owner   " + owner.rightPadded(15) + metrics.moneyText(arr).leftPadded(14))
    }
    lines += [
      "Permanently small:   " + counted(metrics.permanentlySmall.count, "account")
        + " on their landing tier "
        + "\(options.smallAfterMonths)+ months after landing",
      "",
      "cohort".rightPadded(9) + "accounts".leftPadded(9) + "expected_acv".leftPadded(14)
        + "exp_12m".leftPadded(9) + "nrr".leftPadded(9) + "  complete",
    ]
    for cohort in metrics.cohorts {
      var complete = "no"
      if cohort.outcomeWindowComplete {
        complete = "24m"
      } else if cohort.expansionWindowComplete {
        complete = "12m"
      }
      lines.append(
        cohort.label.rightPadded(9) + String(cohort.accounts).leftPadded(9)
          + metrics.moneyText(cohort.expectedACV).leftPadded(14)
          + metrics.percentText(cohort.expansionRate12Months).leftPadded(9)
          + metrics.percentText(cohort.retention.nrr).leftPadded(9) + "  " + complete)
    }
    if !metrics.cohorts.isEmpty {
      lines.append(
        "complete: 24m when every account of the cohort is 24 months past landing, 12m when "
          + "12 months, no otherwise (figures of younger accounts can still rise)")
    }
    return lines
  }

  static func medianText(_ value: Fraction?) -> String {
    guard let value else { return "-" }
    return value.denominator == 1 ? "\(value.numerator)" : value.decimalString(digits: 1)
  }
}
