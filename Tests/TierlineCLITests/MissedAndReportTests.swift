import Foundation
import Testing

@Suite("tierline missed and report")
struct MissedAndReportTests {
  @Test("missed lists unanswered and silent accounts")
  func missed() throws {
    let ledger = try CLILedger([
      Line.landed("a-l", account: "answered", at: "2024-03-01T10:00:00Z"),
      Line.usage("a-u", account: "answered", at: "2024-03-10T10:00:00Z", quantity: "90000"),
      Line.offered(
        "a-o", account: "answered", at: "2024-03-15T10:00:00Z", to: "growth",
        by: "cs"),
      Line.landed("n-l", account: "unanswered", at: "2024-03-01T10:00:00Z"),
      Line.usage("n-u", account: "unanswered", at: "2024-03-11T10:00:00Z", quantity: "90000"),
      Line.landed("late-l", account: "late", at: "2024-03-01T10:00:00Z"),
      Line.usage("late-u", account: "late", at: "2024-03-09T10:00:00Z", quantity: "90000"),
      Line.offered(
        "late-o", account: "late", at: "2024-03-30T10:00:00Z", to: "growth",
        by: "cs"),
      Line.landed("q-l", account: "quiet", at: "2024-02-15T10:00:00Z"),
      Line.landed("q2-l", account: "quieter", at: "2024-02-10T10:00:00Z"),
    ])
    // No account is 60 days past landing by 31 March, so no time trigger fires.
    let result = try ledger.json(["missed", "--as-of", "2024-03-31", "--days", "14"])
    let unanswered = try #require(result["unanswered"] as? [[String: Any]])
    #expect(unanswered.map { $0["account"] as? String } == ["late", "unanswered"])
    #expect(unanswered.first?["trigger"] as? String == "usage")
    #expect(unanswered.first?["late_offer_at"] as? String == "2024-03-30T10:00:00Z")
    let silent = try #require(result["never_fired"] as? [[String: Any]])
    #expect(silent.map { $0["account"] as? String } == ["quieter", "quiet"])

    let shorter = try ledger.json(["missed", "--as-of", "2024-03-20", "--days", "14"])
    #expect((shorter["unanswered"] as? [Any])?.isEmpty == true)
  }

  @Test("report figures equal metrics JSON")
  func report() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let path = ledger.directory.path("report.html")
    let point = ["--as-of", "2025-08-01T00:00:00Z", "--known-at", "2030-01-01T00:00:00Z"]
    _ = try ledger.run(["report", "--html", path] + point)
    let html = try String(contentsOfFile: path, encoding: .utf8)
    let metricsText = try ledger.run(["metrics", "--json"] + point).standardOutput

    let start = try #require(html.range(of: "<script type=\"application/json\" id=\"metrics\">"))
    let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
    let embedded = String(html[start.upperBound..<end.lowerBound])
      .replacingOccurrences(of: "<\\/", with: "</")
    #expect(embedded + "\n" == metricsText)

    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(metricsText.utf8)) as? [String: Any])
    let keys = [
      "expected_acv", "landing_acv", "expansion_rate_12m", "nrr", "ttfv_days_median",
      "ttfv_days_p90", "max_cac", "cac_payback_months.landing_acv",
      "cac_payback_months.expected_acv", "permanently_small.count", "attribution.total_arr",
      "attribution.unattributed_share", "rules_version", "accounts",
    ]
    // The page shows these as percentages with the JSON's digits.
    let ratioKeys: Set = ["expansion_rate_12m", "nrr", "attribution.unattributed_share"]
    for key in keys {
      let visible = try #require(visibleFigure(key, in: html), "\(key) is not on the page")
      var value: Any? = metrics
      for part in key.split(separator: ".") {
        value = (value as? [String: Any])?[String(part)]
      }
      let expected = try #require(value, "\(key) is not in the JSON")
      if ratioKeys.contains(key) {
        #expect(visible == percentage(of: "\(expected)"), "\(key)")
      } else {
        #expect(visible == "\(expected)", "\(key)")
      }
    }
    #expect(html.contains("<svg"))
    // Nothing is loaded: no external source, stylesheet, import or URL reference.
    for pattern in ["src=", "href=", "<link", "@import", "url("] {
      #expect(!html.contains(pattern), "\(pattern)")
    }
    #expect(html.contains("s1"))
  }

  /// Returns the text of the element marked `data-metric="KEY"`.
  func visibleFigure(_ key: String, in html: String) -> String? {
    guard let marker = html.range(of: "data-metric=\"\(key)\">") else { return nil }
    guard let close = html.range(of: "</", range: marker.upperBound..<html.endIndex) else {
      return nil
    }
    return String(html[marker.upperBound..<close.lowerBound])
  }
}

/// Returns a four-decimal ratio such as "0.3000" as the percentage "30.00%", by moving
/// the decimal point, so no rounding is involved.
func percentage(of ratio: String) -> String {
  let parts = ratio.split(separator: ".")
  guard parts.count == 2, parts[1].count == 4 else { return "not a ratio: \(ratio)" }
  let digits = String(parts[0]) + parts[1].prefix(2)
  let whole = digits.drop { $0 == "0" }
  return (whole.isEmpty ? "0" : String(whole)) + "." + parts[1].suffix(2) + "%"
}
