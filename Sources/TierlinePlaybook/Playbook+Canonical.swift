import TierlineEvents

extension Playbook {
  /// Serializes the playbook as canonical JSON: keys sorted by their UTF-8 bytes, no
  /// whitespace, money with exactly the currency's minor-unit digits, ratios shortest.
  ///
  /// Two files that parse to the same playbook give the same bytes, hence the same version.
  public func canonicalJSON() -> [UInt8] {
    jsonValue.serialized(sortingKeys: true)
  }

  /// The playbook as a JSON value in file format 1.
  public var jsonValue: JSONValue {
    let tierValues: [JSONValue] = tiers.map { tier in
      .object([
        ("id", .string(tier.id)),
        ("name", .string(tier.name)),
        ("acv", .string(tier.acv.decimalString)),
        ("features", .array(tier.features.map(JSONValue.string))),
        (
          "limits",
          .array(
            tier.limits.map { limit in
              .object([
                ("metric", .string(limit.metric)),
                ("limit", .string(limit.limit.description)),
                ("aggregation", .string(limit.aggregation.rawValue)),
              ])
            })
        ),
      ])
    }
    let transitionValues: [JSONValue] = transitions.map { transition in
      .object([
        ("from", .string(transition.from)),
        ("to", .string(transition.to)),
        ("milestones", .array(transition.milestones.map(JSONValue.string))),
        ("owner", .string(transition.owner.rawValue)),
        ("value_proposition", .string(transition.valueProposition)),
        ("price", .string(transition.price.decimalString)),
        ("wait_days", .number(String(transition.waitDays))),
      ])
    }
    let triggerValue: JSONValue = .object([
      ("usage", .object([("threshold", .string(triggers.usageThreshold.description))])),
      (
        "time",
        .object([
          ("offsets_days", .array(triggers.timeOffsetsDays.map { .number(String($0)) }))
        ])
      ),
      (
        "organizational",
        .object([
          ("headcount_growth", .string(triggers.headcountGrowth.description)),
          ("department_added", .bool(triggers.departmentAdded)),
          ("use_case_added", .bool(triggers.useCaseAdded)),
        ])
      ),
    ])
    return .object([
      ("format", .number("1")),
      ("name", .string(name)),
      ("currency", .string(currency.code)),
      ("tiers", .array(tierValues)),
      ("transitions", .array(transitionValues)),
      ("triggers", triggerValue),
      (
        "checkin",
        .object([
          ("kind", .string(checkin.kind)),
          ("days_after_landing", .number(String(checkin.daysAfterLanding))),
          ("due_window_days", .number(String(checkin.dueWindowDays))),
        ])
      ),
      ("first_value_milestone", .string(firstValueMilestone)),
      ("attribution_window_days", .number(String(attributionWindowDays))),
      ("offer_valid_days", .number(String(offerValidDays))),
    ])
  }
}

extension Playbook: Codable {
  /// Decodes a playbook stored as its canonical JSON text in a single string.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    self = try Playbook(json: Array(text.utf8))
  }

  /// Encodes the playbook as its canonical JSON text in a single string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(String(decoding: canonicalJSON(), as: UTF8.self))
  }
}
