import TierlineEvents
import TierlineLedger

/// A self-contained HTML page of the portfolio metrics: inline CSS and SVG, no scripts
/// that run and no external resources.
///
/// Every headline figure carries `data-metric="KEY"` with the value of the same key in
/// `metrics --json`, and the whole JSON object is embedded in
/// `<script type="application/json" id="metrics">`, so a reader or a test can compare the
/// page with the command's output. Shares and ratios show as percentages, with the same
/// digits as the JSON's four-decimal values.
public enum HTMLReport {
  /// The maximum number of rows shown in each table of accounts and check-ins.
  public static let maximumTableRows = 500

  /// The decimals of a percentage: a ratio with four decimals is a percentage with two.
  static let percentDigits = PortfolioMetrics.ratioDigits - 2

  /// Renders the page.
  /// - Parameters:
  ///   - metrics: the portfolio metrics the page shows.
  ///   - checkins: the check-ins due, overdue and upcoming on the report date.
  public static func render(metrics: PortfolioMetrics, checkins: [CheckinDue]) -> String {
    var page = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <title>Tierline portfolio report</title>
      <style>\(style)</style></head><body>
      <h1>Tierline portfolio report</h1>
      <p class="meta">As of \(escapeHTML(metrics.options.asOf.rfc3339)), known at \
      \(escapeHTML(metrics.options.knownAt.rfc3339)), rules \
      <span data-metric="rules_version">\(escapeHTML(metrics.rulesVersion))</span>, \
      <span data-metric="accounts">\(metrics.accounts)</span> accounts landed.</p>

      """
    page += headline(metrics)
    page += cohortSection(metrics)
    page += ttfvSection(metrics)
    page += attributionSection(metrics)
    page += checkinSection(checkins)
    page += smallSection(metrics)
    let json = metrics.jsonText().replacingOccurrences(of: "</", with: "<\\/")
    page += "<script type=\"application/json\" id=\"metrics\">\(json)</script>\n"
    return page + "</body></html>\n"
  }

  static let style = """
    body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1000px}\
    h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ccc}\
    .meta{color:#555}dl{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}\
    dl div{background:#f4f6f8;padding:8px 12px;border-radius:4px}\
    dt{font-size:12px;color:#555}dd{margin:0;font-size:18px;font-weight:600}\
    table{border-collapse:collapse;font-size:13px}td,th{padding:3px 8px;\
    border-bottom:1px solid #eee;text-align:left}td.n{text-align:right}svg{display:block}
    """

  static func headline(_ metrics: PortfolioMetrics) -> String {
    let figures: [(String, String, String)] = [
      ("Expected ACV", "expected_acv", metrics.moneyText(metrics.expectedACV)),
      ("Landing ACV", "landing_acv", metrics.moneyText(metrics.landingACV)),
      (
        "Expansion rate within 12 months", "expansion_rate_12m",
        metrics.percentText(metrics.expansionRate12Months, digits: percentDigits)
      ),
      (
        "NRR, last 12 months", "nrr",
        metrics.percentText(metrics.retention.nrr, digits: percentDigits)
      ),
      ("TTFV median, days", "ttfv_days_median", medianText(metrics.ttfv.median)),
      (
        "TTFV 90th percentile, days", "ttfv_days_p90",
        metrics.ttfv.percentile90.map(String.init) ?? "-"
      ),
      ("Maximum CAC", "max_cac", metrics.moneyText(metrics.maximumCAC)),
      (
        "CAC payback on landing ACV, months", "cac_payback_months.landing_acv",
        metrics.monthsText(metrics.paybackMonthsOnLandingACV)
      ),
      (
        "CAC payback on expected ACV, months", "cac_payback_months.expected_acv",
        metrics.monthsText(metrics.paybackMonthsOnExpectedACV)
      ),
      (
        "Permanently small accounts", "permanently_small.count",
        "\(metrics.permanentlySmall.count)"
      ),
      ("Expansion ARR", "attribution.total_arr", metrics.moneyText(metrics.attribution.total)),
      (
        "Unattributed share", "attribution.unattributed_share",
        metrics.percentText(metrics.attribution.unattributedShare, digits: percentDigits)
      ),
    ]
    var html = "<h2>Headline figures (\(escapeHTML(metrics.currency)))</h2><dl>"
    for (label, key, value) in figures {
      html +=
        "<div><dt>\(escapeHTML(label))</dt>"
        + "<dd data-metric=\"\(key)\">\(escapeHTML(value))</dd></div>"
    }
    return html + "</dl>\n"
  }

  static func cohortSection(_ metrics: PortfolioMetrics) -> String {
    // Each curve stops at the months observed for all of its accounts.
    let series = metrics.cohorts.map { cohort in
      (
        label: cohort.label,
        values: cohort.expansionCurve.prefix(cohort.observedMonths + 1).map(double)
      )
    }
    let highest = series.flatMap(\.values).max() ?? 0
    var html = "<h2>Cohort expansion curves</h2>"
    html +=
      "<p>Share of each landing cohort that had expanded, by months since landing, up "
      + "to the months observed for every account of the cohort.</p>"
    html += SVGChart.lines(
      title: "Cumulative share expanded by months since landing", series: series,
      maximumY: max(0.2, (highest * 5).rounded(.up) / 5), xLabel: "months since landing")
    html += "<table><tr><th>cohort</th><th>accounts</th><th>expected ACV</th>"
    html += "<th>expansion rate 12m</th><th>NRR</th></tr>"
    for cohort in metrics.cohorts {
      html +=
        "<tr><td>\(escapeHTML(cohort.label))</td><td class=n>\(cohort.accounts)</td>"
        + "<td class=n>\(metrics.moneyText(cohort.expectedACV))</td>"
        + "<td class=n>\(metrics.percentText(cohort.expansionRate12Months, digits: percentDigits))</td>"
        + "<td class=n>\(metrics.percentText(cohort.retention.nrr, digits: percentDigits))</td></tr>"
    }
    return html + "</table>\n"
  }

  static func ttfvSection(_ metrics: PortfolioMetrics) -> String {
    let width = 10
    let lastBin = 12
    var counts = Array(repeating: 0, count: lastBin + 1)
    for days in metrics.ttfv.days {
      counts[min(lastBin, max(0, days) / width)] += 1
    }
    let bars = counts.enumerated().map { index, count in
      let low = index * width
      return (label: index == lastBin ? "\(low)+" : "\(low)-\(low + width - 1)", value: count)
    }
    var html = "<h2>Time to first value</h2>"
    html +=
      "<p>\(metrics.ttfv.accounts) accounts reached first value; "
      + "\(metrics.ttfv.accountsWithoutFirstValue) have not.</p>"
    html += SVGChart.columns(
      title: "Accounts by days from landing to first value", bars: bars,
      xLabel: "days from landing to first value")
    html += "<table><tr><th>TTFV band</th><th>accounts</th><th>expansion rate 12m</th></tr>"
    for band in metrics.ttfv.bands {
      html +=
        "<tr><td>\(escapeHTML(band.label))</td><td class=n>\(band.accounts)</td>"
        + "<td class=n>\(metrics.percentText(band.expansionRate12Months, digits: percentDigits))</td></tr>"
    }
    return html + "</table>\n"
  }

  static func attributionSection(_ metrics: PortfolioMetrics) -> String {
    var bars = metrics.attribution.byTrigger.map { entry in
      (label: entry.type, value: double(entry.arr), text: metrics.moneyText(entry.arr))
    }
    bars.append(
      (
        label: "unattributed", value: double(metrics.attribution.unattributed),
        text: metrics.moneyText(metrics.attribution.unattributed)
      ))
    var html = "<h2>Expansion ARR by trigger type</h2>"
    html +=
      "<p>\(metrics.attribution.expansions) expansions added "
      + "\(metrics.moneyText(metrics.attribution.total)); an expansion credited to two "
      + "trigger types counts under both.</p>"
    html += SVGChart.rows(title: "Expansion ARR by trigger type", bars: bars)
    return html + "\n"
  }

  static func checkinSection(_ checkins: [CheckinDue]) -> String {
    var html = "<h2>Check-ins due</h2>"
    guard !checkins.isEmpty else { return html + "<p>No check-in is due.</p>\n" }
    html += "<table><tr><th>status</th><th>due on</th><th>account</th><th>tier</th></tr>"
    for item in checkins.prefix(maximumTableRows) {
      html +=
        "<tr><td>\(escapeHTML(item.status))</td><td>\(item.dueOn)</td>"
        + "<td>\(escapeHTML(item.account))</td><td>\(escapeHTML(item.tier ?? "-"))</td></tr>"
    }
    html += "</table>"
    if checkins.count > maximumTableRows {
      html += "<p>\(checkins.count - maximumTableRows) more not shown.</p>"
    }
    return html + "\n"
  }

  static func smallSection(_ metrics: PortfolioMetrics) -> String {
    let accounts = metrics.permanentlySmall
    var html =
      "<h2>Permanently small accounts</h2><p>Active on their landing tier, never expanded, "
      + "\(metrics.options.smallAfterMonths) months or more after landing: "
      + "\(accounts.count) accounts.</p>"
    guard !accounts.isEmpty else { return html + "\n" }
    html += "<table><tr><th>account</th><th>landed</th><th>tier</th><th>months</th>"
    html += "<th>triggers fired</th><th>never fired</th><th>offers</th></tr>"
    for small in accounts.prefix(maximumTableRows) {
      let fired = small.triggersFired.map(\.type).joined(separator: ", ")
      html +=
        "<tr><td>\(escapeHTML(small.account))</td><td>\(escapeHTML(small.landedAt))</td>"
        + "<td>\(escapeHTML(small.tier))</td><td class=n>\(small.monthsOnTier)</td>"
        + "<td>\(escapeHTML(fired.isEmpty ? "none" : fired))</td>"
        + "<td>\(escapeHTML(small.triggersNeverFired.joined(separator: ", ")))</td>"
        + "<td class=n>\(small.offers)</td></tr>"
    }
    html += "</table>"
    if accounts.count > maximumTableRows {
      html += "<p>\(accounts.count - maximumTableRows) more not shown.</p>"
    }
    return html + "\n"
  }

  static func medianText(_ value: Fraction?) -> String {
    guard let value else { return "-" }
    return value.denominator == 1 ? "\(value.numerator)" : value.decimalString(digits: 1)
  }

  /// Converts a fraction to binary floating point, for chart geometry only.
  static func double(_ value: Fraction) -> Double {
    Double(value.numerator) / Double(value.denominator)
  }
}
