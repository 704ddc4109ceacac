import TierlineEvents

extension Playbook {
  /// The built-in rules: tiers `starter` ($6K), `growth` ($18K) and `scale` ($36K) in USD.
  ///
  /// `playbooks/default.json` contains the same playbook as a file.
  public static let builtInDefault = Playbook(
    name: "default",
    currency: .usd,
    tiers: [
      Tier(
        id: "starter", name: "Starter", acv: dollars(6_000),
        features: ["core_workflows", "api_access", "email_support"],
        limits: defaultLimits(apiCalls: 100_000, seats: 10, workflowRuns: 1_000, dataGB: 50)),
      Tier(
        id: "growth", name: "Growth", acv: dollars(18_000),
        features: [
          "core_workflows", "api_access", "email_support", "integrations", "team_workspaces",
        ],
        limits: defaultLimits(apiCalls: 500_000, seats: 50, workflowRuns: 10_000, dataGB: 250)),
      Tier(
        id: "scale", name: "Scale", acv: dollars(36_000),
        features: [
          "core_workflows", "api_access", "priority_support", "integrations", "team_workspaces",
          "sso", "audit_log",
        ],
        limits: defaultLimits(
          apiCalls: 2_000_000, seats: 200, workflowRuns: 50_000, dataGB: 1_000)),
    ],
    transitions: [
      Transition(
        from: "starter", to: "growth", milestones: ["first_value", "integration_live"],
        owner: .cs,
        valueProposition:
          "Connect more systems and teams without hitting the Starter usage limits.",
        price: dollars(18_000), waitDays: 14),
      Transition(
        from: "growth", to: "scale",
        milestones: ["workflows_automated", "second_team_onboarded"], owner: .sales,
        valueProposition:
          "Run automation across the organization with SSO, audit logs and priority support.",
        price: dollars(36_000), waitDays: 21),
    ],
    triggers: TriggerSettings(
      usageThreshold: Ratio(millionths: 800_000), timeOffsetsDays: [60, 90, 180],
      headcountGrowth: Ratio(millionths: 200_000), departmentAdded: true, useCaseAdded: true),
    checkin: CheckinSchedule(kind: "onboarding_60d", daysAfterLanding: 60, dueWindowDays: 7),
    firstValueMilestone: "first_value",
    attributionWindowDays: 90,
    offerValidDays: 90)

  private static func dollars(_ whole: Int64) -> Money {
    Money(minorUnits: whole * 100, currency: .usd)
  }

  private static func defaultLimits(
    apiCalls: Int64, seats: Int64, workflowRuns: Int64, dataGB: Int64
  )
    -> [UsageLimit]
  {
    [
      UsageLimit(metric: "api_calls", limit: Quantity(units: apiCalls), aggregation: .sum),
      UsageLimit(metric: "seats", limit: Quantity(units: seats), aggregation: .max),
      UsageLimit(metric: "workflow_runs", limit: Quantity(units: workflowRuns), aggregation: .sum),
      UsageLimit(metric: "data_gb", limit: Quantity(units: dataGB), aggregation: .max),
    ]
  }
}
