import TierlineEvents

extension Playbook {
  /// Parses and validates a playbook file (format 1).
  ///
  /// Unknown keys, wrong types, unknown or duplicate tier ids, ratios outside 0...1 and
  /// money with more decimals than the currency allows are all rejected.
  /// - Throws: `PlaybookError` naming the first field at fault.
  public init(json: [UInt8]) throws(PlaybookError) {
    let document: JSONValue
    do {
      document = try JSONValue.parse(json)
    } catch {
      throw PlaybookError(field: "", reason: error.description)
    }
    var root = try ObjectReader(document, path: "")

    // The format has one supported value, so the message for a missing one gives it.
    guard root.has("format") else {
      throw PlaybookError(
        field: "format", reason: "missing; give \"format\": 1 (the supported version)")
    }
    guard case .number("1") = try root.value("format") else {
      throw PlaybookError(field: "format", reason: "unsupported format; expected 1")
    }
    name = try root.identifier("name")
    let code = try root.string("currency")
    guard let currency = Currency(code: code) else {
      throw PlaybookError(field: "currency", reason: "expected an ISO 4217 code such as USD")
    }
    self.currency = currency

    tiers = try Playbook.parseTiers(try root.array("tiers"), currency: currency)
    transitions = try Playbook.parseTransitions(
      try root.array("transitions"), tiers: tiers, currency: currency)
    triggers = try Playbook.parseTriggers(try root.object("triggers"))
    checkin = try Playbook.parseCheckin(try root.object("checkin"))
    firstValueMilestone = try root.identifier("first_value_milestone")
    attributionWindowDays = try root.days("attribution_window_days")
    offerValidDays = try root.days("offer_valid_days")
    try root.finish()
  }

  private static func parseTiers(_ items: [JSONValue], currency: Currency)
    throws(PlaybookError) -> [Tier]
  {
    guard !items.isEmpty else {
      throw PlaybookError(field: "tiers", reason: "empty; list at least one tier")
    }
    var tiers: [Tier] = []
    for (index, item) in items.enumerated() {
      var reader = try ObjectReader(item, path: "tiers[\(index)]")
      let id = try reader.identifier("id")
      guard !tiers.contains(where: { $0.id == id }) else {
        throw PlaybookError(field: reader.fieldPath("id"), reason: "duplicate tier id \"\(id)\"")
      }
      let name = try reader.identifier("name")
      let acv = try reader.money("acv", currency: currency)
      let features = reader.has("features") ? try reader.strings("features") : []
      var limits: [UsageLimit] = []
      let limitItems = reader.has("limits") ? try reader.array("limits") : []
      for (limitIndex, limitItem) in limitItems.enumerated() {
        var limitReader = try ObjectReader(
          limitItem, path: reader.fieldPath("limits[\(limitIndex)]"))
        let metric = try limitReader.identifier("metric")
        guard !limits.contains(where: { $0.metric == metric }) else {
          throw PlaybookError(
            field: limitReader.fieldPath("metric"), reason: "duplicate metric \"\(metric)\"")
        }
        guard let limit = Quantity(decimal: try limitReader.string("limit")), limit.millionths > 0
        else {
          throw PlaybookError(
            field: limitReader.fieldPath("limit"),
            reason: "expected a positive decimal string with at most 6 decimals")
        }
        guard let aggregation = Aggregation(rawValue: try limitReader.string("aggregation")) else {
          throw PlaybookError(
            field: limitReader.fieldPath("aggregation"), reason: "expected \"sum\" or \"max\"")
        }
        try limitReader.finish()
        limits.append(UsageLimit(metric: metric, limit: limit, aggregation: aggregation))
      }
      try reader.finish()
      tiers.append(Tier(id: id, name: name, acv: acv, features: features, limits: limits))
    }
    return tiers
  }

  private static func parseTransitions(
    _ items: [JSONValue], tiers: [Tier], currency: Currency
  ) throws(PlaybookError) -> [Transition] {
    var transitions: [Transition] = []
    for (index, item) in items.enumerated() {
      var reader = try ObjectReader(item, path: "transitions[\(index)]")
      let from = try reader.identifier("from")
      guard let fromIndex = tiers.firstIndex(where: { $0.id == from }) else {
        throw PlaybookError(field: reader.fieldPath("from"), reason: "unknown tier \"\(from)\"")
      }
      guard !transitions.contains(where: { $0.from == from }) else {
        throw PlaybookError(
          field: reader.fieldPath("from"), reason: "a second transition out of \"\(from)\"")
      }
      let to = try reader.identifier("to")
      guard let toIndex = tiers.firstIndex(where: { $0.id == to }) else {
        throw PlaybookError(field: reader.fieldPath("to"), reason: "unknown tier \"\(to)\"")
      }
      guard toIndex == fromIndex + 1 else {
        throw PlaybookError(
          field: reader.fieldPath("to"), reason: "\"\(to)\" is not the tier after \"\(from)\"")
      }
      let milestones = try reader.strings("milestones")
      guard !milestones.isEmpty else {
        throw PlaybookError(
          field: reader.fieldPath("milestones"), reason: "empty; list at least one milestone")
      }
      guard let owner = Owner(rawValue: try reader.string("owner")) else {
        throw PlaybookError(
          field: reader.fieldPath("owner"), reason: "expected \"cs\", \"sales\" or \"product\"")
      }
      let valueProposition = try reader.string("value_proposition")
      let price = try reader.money("price", currency: currency)
      let waitDays = try reader.days("wait_days")
      try reader.finish()
      transitions.append(
        Transition(
          from: from, to: to, milestones: milestones, owner: owner,
          valueProposition: valueProposition, price: price, waitDays: waitDays))
    }
    return transitions
  }

  private static func parseTriggers(_ reader: ObjectReader) throws(PlaybookError)
    -> TriggerSettings
  {
    var reader = reader
    var usage = try reader.object("usage")
    let threshold = try usage.ratio("threshold")
    try usage.finish()

    var time = try reader.object("time")
    var offsets: [Int] = []
    for (index, item) in try time.array("offsets_days").enumerated() {
      let path = time.fieldPath("offsets_days[\(index)]")
      let offset = try ObjectReader.days(item, path: path)
      guard offset > (offsets.last ?? 0) else {
        throw PlaybookError(
          field: path, reason: "invalid offset; offsets must be positive and ascending")
      }
      offsets.append(offset)
    }
    try time.finish()

    var organizational = try reader.object("organizational")
    let growth = try organizational.ratio("headcount_growth")
    let departmentAdded = try organizational.bool("department_added")
    let useCaseAdded = try organizational.bool("use_case_added")
    try organizational.finish()
    try reader.finish()

    return TriggerSettings(
      usageThreshold: threshold, timeOffsetsDays: offsets, headcountGrowth: growth,
      departmentAdded: departmentAdded, useCaseAdded: useCaseAdded)
  }

  private static func parseCheckin(_ reader: ObjectReader) throws(PlaybookError)
    -> CheckinSchedule
  {
    var reader = reader
    let kind = try reader.identifier("kind")
    let days = try reader.days("days_after_landing")
    let window = try reader.days("due_window_days")
    try reader.finish()
    return CheckinSchedule(kind: kind, daysAfterLanding: days, dueWindowDays: window)
  }
}
