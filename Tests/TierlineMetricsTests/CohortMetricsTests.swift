import TierlineEvents
import TierlinePlaybook
import Testing

@testable import TierlineMetrics

/// Builds a January 2024 cohort of ten accounts on the built-in playbook ($6K, $18K,
/// $36K): seven stay on starter, two reach growth and one reaches scale in 24 months.
///
/// - `g1` crosses 80% of the api_calls limit, then expands to growth in March 2024;
/// - `g2` expands to growth in March 2024 and contracts to starter in October 2024;
/// - `t1` expands to growth in March and to scale in May 2024, after an offer by sales;
/// - `s1` … `s7` stay on starter; `s7` churns in September 2024; `s1`, `s2` and `s3`
///   reach first value after 10, 45 and 70 days.
func januaryCohort() -> [AccountEvents] {
  var accounts: [AccountEvents] = []
  var g1 = AccountEvents("g1")
  g1.land("2024-01-05T10:00:00Z")
  g1.usage("2024-02-20T10:00:00Z", metric: "api_calls", units: 90_000)
  g1.change("2024-03-01T10:00:00Z", to: "growth", acv: 1_800_000)
  accounts.append(g1)

  var g2 = AccountEvents("g2")
  g2.land("2024-01-06T10:00:00Z")
  g2.change("2024-03-02T10:00:00Z", to: "growth", acv: 1_800_000)
  g2.change("2024-10-02T10:00:00Z", to: "starter", acv: 600_000)
  accounts.append(g2)

  var t1 = AccountEvents("t1")
  t1.land("2024-01-07T10:00:00Z")
  t1.change("2024-03-03T10:00:00Z", to: "growth", acv: 1_800_000)
  t1.offer("2024-04-20T10:00:00Z", to: "scale", by: "sales")
  t1.change("2024-05-03T10:00:00Z", to: "scale", acv: 3_600_000)
  accounts.append(t1)

  let firstValues = [
    "s1": "2024-01-18T09:00:00Z", "s2": "2024-02-22T09:00:00Z",
    "s3": "2024-03-18T09:00:00Z",
  ]
  for index in 1...7 {
    var small = AccountEvents("s\(index)")
    small.land("2024-01-08T10:00:00Z")
    if let time = firstValues["s\(index)"] { small.milestone(time, "first_value") }
    if index == 7 { small.churn("2024-09-15T10:00:00Z") }
    accounts.append(small)
  }
  return accounts
}

@Suite("Cohort metrics")
struct CohortMetricsTests {
  let playbook = Playbook.builtInDefault

  func metrics(asOf text: String, period: CohortPeriod = .month) throws -> PortfolioMetrics {
    let asOf = try instant(text)
    let histories = januaryCohort().map { $0.history(playbook: playbook, asOf: asOf) }
    return PortfolioMetrics(
      histories: histories, playbook: playbook, rulesVersion: playbook.version,
      options: MetricsOptions(asOf: asOf, knownAt: asOf, cohortPeriod: period))
  }

  @Test("expected ACV of the cohort")
  func expectedACV() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z")
    let cohort = try #require(result.cohorts.first)
    #expect(result.cohorts.count == 1)
    #expect(cohort.label == "2024-01")
    #expect(cohort.accounts == 10)
    #expect(cohort.outcomes.map(\.accounts) == [7, 2, 1])
    #expect(cohort.expectedACV.decimalString(digits: 2) == "11400.00")
    #expect(result.expectedACV?.decimalString(digits: 2) == "11400.00")
    #expect(!cohort.outcomeWindowComplete)
    #expect(cohort.expansionWindowComplete)
  }

  @Test("quarter cohorts group the same accounts")
  func quarterCohort() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z", period: .quarter)
    #expect(result.cohorts.map(\.label) == ["2024-Q1"])
  }

  @Test("expansion rate and curve")
  func expansionRate() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z")
    let cohort = try #require(result.cohorts.first)
    #expect(cohort.expandedWithin12Months == 3)
    #expect(cohort.expansionRate12Months == Fraction(3, 10))
    // Expansions on 1, 2 and 3 March are in month 2 after landings on 5, 6 and 7 January.
    #expect(cohort.expansionCurve[1] == .zero)
    #expect(cohort.expansionCurve[2] == Fraction(3, 10))
    #expect(cohort.expansionCurve[24] == Fraction(3, 10))
    // The last landing, 8 January 2024, is 18 whole months before 1 August 2025.
    #expect(cohort.observedMonths == 18)
  }

  @Test("NRR with contraction and churn")
  func retention() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z")
    let figures = result.retention
    #expect(figures.accounts == 10)
    #expect(figures.startARR == Fraction(114_000))
    #expect(figures.endARR == Fraction(96_000))
    #expect(figures.contraction == Fraction(12_000))
    #expect(figures.churn == Fraction(6_000))
    #expect(figures.expansion == .zero)
    #expect(figures.churnedAccounts == 1)
    #expect(figures.contractedAccounts == 1)
    #expect(figures.nrr?.decimalString(digits: 4) == "0.8421")
  }

  @Test("NRR counts expansion inside the period")
  func retentionWithExpansion() throws {
    // The period 2023-05-01 to 2024-05-01 starts before every landing, so no account
    // was active at its start.
    let early = try metrics(asOf: "2024-05-01T00:00:00Z")
    #expect(early.retention.accounts == 0)
    #expect(early.retention.nrr == nil)

    let result = try metrics(asOf: "2025-04-01T00:00:00Z")
    // Start 2024-04-01: g1 18K, g2 18K, t1 18K, seven starters 42K = 96K.
    // End: g1 18K, g2 6K, t1 36K, six starters 36K = 96K.
    #expect(result.retention.startARR == Fraction(96_000))
    #expect(result.retention.expansion == Fraction(18_000))
    #expect(result.retention.contraction == Fraction(12_000))
    #expect(result.retention.churn == Fraction(6_000))
    #expect(result.retention.nrr == Fraction(1))
  }

  @Test("TTFV median, p90 and bands")
  func ttfv() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z")
    #expect(result.ttfv.days == [10, 45, 70])
    #expect(result.ttfv.median == Fraction(45))
    #expect(result.ttfv.percentile90 == 70)
    #expect(result.ttfv.bands.map(\.label) == ["<30", "30-60", ">60", "none"])
    #expect(result.ttfv.bands.map(\.accounts) == [1, 1, 1, 7])
    #expect(result.ttfv.bands[3].expandedWithin12Months == 3)
  }

  @Test("permanently small accounts")
  func permanentlySmall() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z")
    #expect(result.permanentlySmall.map(\.account) == ["s1", "s2", "s3", "s4", "s5", "s6"])
    let first = try #require(result.permanentlySmall.first)
    #expect(first.monthsOnTier == 18)
    #expect(first.tier == "starter")
    #expect(first.offers == 0)
    #expect(!first.offerFollowedTrigger)
    #expect(first.triggersFired.map(\.type) == ["time"])

    let earlier = try metrics(asOf: "2025-07-07T00:00:00Z")
    #expect(earlier.permanentlySmall.isEmpty)
  }

  @Test("top-tier landing is not small")
  func topTierLanding() throws {
    let asOf = try instant("2025-08-01T00:00:00Z")
    var top = AccountEvents("top")
    top.land("2024-01-05T10:00:00Z", tier: "scale", acv: 3_600_000)
    var small = AccountEvents("small")
    small.land("2024-01-05T10:00:00Z")
    let result = PortfolioMetrics(
      histories: [top, small].map { $0.history(playbook: playbook, asOf: asOf) },
      playbook: playbook, rulesVersion: playbook.version,
      options: MetricsOptions(asOf: asOf, knownAt: asOf))
    #expect(result.permanentlySmall.map(\.account) == ["small"])
  }

  @Test("attribution by trigger and owner")
  func attribution() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z")
    let figures = result.attribution
    #expect(figures.expansions == 4)
    #expect(figures.total == Fraction(54_000))
    let usage = try #require(figures.byTrigger.first { $0.type == "usage" })
    #expect(usage.arr == Fraction(12_000))
    // t1's move to scale follows the 60-day time trigger (landing 7 January + 60 days is
    // 7 March, after its move to growth on 3 March).
    let time = try #require(figures.byTrigger.first { $0.type == "time" })
    #expect(time.arr == Fraction(18_000))
    #expect(figures.unattributed == Fraction(24_000))
    #expect(figures.unattributedShare == Fraction(4, 9))
    let owners = Dictionary(uniqueKeysWithValues: figures.byOwner.map { ($0.owner, $0.arr) })
    #expect(owners["cs"] == Fraction(36_000))
    #expect(owners["sales"] == Fraction(18_000))
  }

  @Test("maximum CAC on the landing ACV")
  func maximumCAC() throws {
    let result = try metrics(asOf: "2025-08-01T00:00:00Z")
    #expect(result.landingACV == Fraction(6000))
    #expect(result.maximumCAC?.decimalString(digits: 2) == "7200.00")
    #expect(result.paybackMonthsOnLandingACV?.decimalString(digits: 2) == "18.00")
    #expect(result.paybackMonthsOnExpectedACV?.decimalString(digits: 2) == "9.47")
  }

  @Test("two-outcome playbook gives $17,000")
  func twoOutcomes() throws {
    let text = twoTierPlaybookJSON
    let playbook = try Playbook(json: Array(text.utf8))
    let asOf = try instant("2026-06-01T00:00:00Z")
    var histories: [AccountHistory] = []
    for index in 0..<5 {
      var account = AccountEvents("a\(index)")
      account.land("2024-02-10T10:00:00Z", tier: "land", acv: 500_000)
      if index < 3 { account.change("2024-09-10T10:00:00Z", to: "full", acv: 2_500_000) }
      histories.append(account.history(playbook: playbook, asOf: asOf))
    }
    let result = PortfolioMetrics(
      histories: histories, playbook: playbook, rulesVersion: playbook.version,
      options: MetricsOptions(asOf: asOf, knownAt: asOf))
    #expect(result.outcomes.map(\.share) == [Fraction(2, 5), Fraction(3, 5)])
    #expect(result.expectedACV?.decimalString(digits: 2) == "17000.00")
    #expect(result.cohorts.first?.outcomeWindowComplete == true)
  }
}

/// A playbook with two tiers: land at $5,000, expand to $25,000.
let twoTierPlaybookJSON = """
  {"format":1,"name":"two tiers","currency":"USD",
  "tiers":[{"id":"land","name":"Land","acv":"5000.00","features":[],"limits":[]},
  {"id":"full","name":"Full","acv":"25000.00","features":[],"limits":[]}],
  "transitions":[{"from":"land","to":"full","milestones":["first_value"],"owner":"cs",
  "value_proposition":"More.","price":"25000.00","wait_days":0}],
  "triggers":{"usage":{"threshold":"0.80"},"time":{"offsets_days":[60]},
  "organizational":{"headcount_growth":"0.20","department_added":true,"use_case_added":true}},
  "checkin":{"kind":"onboarding_60d","days_after_landing":60,"due_window_days":7},
  "first_value_milestone":"first_value","attribution_window_days":90,"offer_valid_days":90}
  """
