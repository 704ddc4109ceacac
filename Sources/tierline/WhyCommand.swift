import TierlineEvents
import TierlineLedger
import TierlineMetrics
import TierlineProjections

/// `tierline why`: the audit explanation of one account's readiness.
enum WhyCommand: Command {
  static let spec = CommandSpec(
    name: "why",
    summary: "Explain why an account is or is not ready for the expansion conversation.",
    usage: "ACCOUNT [--at T] [--known-at K] [--rules FILE] [--json]",
    options: [
      OptionSpec(
        name: "at", valueName: "T",
        help: "valid time of the decision: events that occurred after T are left out, "
          + "events at T count (default: now)",
        validate: validateTimeOption),
      knownAtOptionSpec,
      rulesOptionSpec,
      OptionSpec(name: "json", valueName: nil, help: "print the projection as JSON"),
    ],
    positionals: ["ACCOUNT"],
    requiredPositionals: 1,
    details: """
      Lists every trigger and every readiness condition with its actual and required
      value, the rules version that decided, and the offer and expansion history. For a
      ready account it gives the instant since which it has been ready without a break
      (ready_since in JSON), folded under the same rules. An offer made before the
      trigger it names had fired is marked (trigger_fired false in JSON).
      """ + "\n" + timeFormatsHelp)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let account = try accountArgument(arguments.positionals[0])
    let requested = try requestedPoint(arguments, validTimeOption: "at")
    let override = try playbookOption(arguments)
    let ledger = try context.openLedger()
    let point = try requested.resolved(in: ledger)
    let rules = try ledger.replayRules(at: point, override: override)
    guard let projection = try ledger.projection(of: account, at: point, rules: rules) else {
      throw accountNotFound(account, at: point)
    }
    let since =
      projection.ready ? try readySince(account, at: point, rules: rules, in: ledger) : nil
    if arguments.flag("json") {
      context.output.write(bytes: ProjectionJSON.encode(projection, readySince: since))
      context.output.line()
      return
    }
    // A date alone means its end in UTC, which is not the end of that day in most zones.
    let date = arguments.value("at").flatMap { CivilDate(iso: $0) }
    for line in explanation(projection, readySince: since, requestedDate: date) {
      context.output.line(line)
    }
  }

  /// Returns the start of the account's unbroken stretch of readiness that reaches the
  /// point, folded under `rules` from the events visible there.
  static func readySince(
    _ account: AccountID, at point: ReplayPoint, rules: ReplayRules, in ledger: Ledger
  ) throws -> Timestamp? {
    var search = ReadySince.Fold(account: account, playbook: rules.playbook)
    _ = try ledger.fold(account, at: point, into: &search)
    return search.instant(asOf: point.asOf)
  }

  /// Returns a note when the end of `date` in UTC is not the end of `date` in the
  /// account's zone, with the time to give for the end of `date` there.
  static func localDayNote(_ date: CivilDate, _ projection: AccountProjection) -> String? {
    guard let zone = projection.timeZone, let calendar = ZoneCalendar(identifier: zone),
      let asOf = Timestamp(rfc3339: projection.asOf)
    else { return nil }
    let local = calendar.localDate(of: asOf)
    let endThere = calendar.endOfDay(date)
    // A zone that moved across the date line skipped a whole day, as Pacific/Apia did
    // with 30 December 2011.
    guard calendar.localDate(of: endThere) == date else {
      return "  note: \(projection.asOf), the end of \(date) in UTC, is \(local) in \(zone), "
        + "which has no \(date): the zone skipped that day"
    }
    guard endThere != asOf else { return nil }
    // East of UTC the end of the UTC day is already the next local day. West of UTC the
    // local day still has hours to run, and their events are left out.
    let place = local == date ? "still \(date), before its end," : "already \(local)"
    let note = "  note: \(projection.asOf), the end of \(date) in UTC, is \(place) in \(zone)"
    // The last day of year 9999 ends west of UTC after the latest time a ledger takes.
    guard endThere <= Timestamp.maximum else { return note }
    return note + "; for the end of \(date) there, give --at \(endThere.rfc3339)"
  }

  /// Returns the human-readable explanation, one line per entry. `readySince` starts the
  /// stretch of readiness that reaches the view, and `requestedDate` is the date given
  /// alone for `--at`, if it was.
  static func explanation(
    _ p: AccountProjection, readySince: Timestamp? = nil, requestedDate: CivilDate? = nil
  ) -> [String] {
    var lines: [String] = []
    lines.append("Account \(p.account)")
    lines.append("  as of \(p.asOf), known at \(p.knownAt)")
    if let requestedDate, let note = localDayNote(requestedDate, p) { lines.append(note) }
    lines.append(
      "  rules \(p.rulesVersion); times are UTC, due dates and usage months are the "
        + "account's local ones")
    var state = "  status \(p.status)"
    if let tier = p.tier { state += ", tier \(tier)" }
    if let acv = p.acv { state += ", ACV \(acv) \(p.currency ?? "")" }
    lines.append(state)
    if let landed = p.landedAt {
      let ttfv = p.ttfvDays.map { ", first value after \($0) days" } ?? ", no first value yet"
      let zone = p.timeZone.map { ", time zone \($0)" } ?? ""
      lines.append("  landed \(landed)" + zone + ttfv)
    }
    if !p.reactivations.isEmpty {
      lines.append("  returned after churn: " + p.reactivations.joined(separator: ", "))
    }
    // Ignored events change nothing, so without this line an account stuck before its
    // landing would show no reason.
    if p.eventsBeforeLanding > 0 {
      lines.append(
        "  ignored: \(counted(p.eventsBeforeLanding, "event")) before the first landing "
          + "(`tierline log` lists every event)")
    }
    // The events ignored after landing that were neither of the two counted kinds came
    // while the account was churned.
    let whileChurned = p.eventsIgnored - p.secondLandingsIgnored - p.unscheduledCheckinsIgnored
    var ignored: [String] = []
    if p.secondLandingsIgnored > 0 {
      ignored.append("\(counted(p.secondLandingsIgnored, "landing")) while active")
    }
    if p.unscheduledCheckinsIgnored > 0 {
      ignored.append(
        "\(counted(p.unscheduledCheckinsIgnored, "check-in")) of a kind the rules do not "
          + "schedule")
    }
    if whileChurned > 0 { ignored.append("\(counted(whileChurned, "event")) while churned") }
    if !ignored.isEmpty {
      lines.append(
        "  ignored, as they changed nothing: " + ignored.joined(separator: ", ")
          + " (`tierline log` lists every event)")
    }
    lines.append("")

    var verdict = p.ready ? "READY for the expansion conversation" : "NOT READY for expansion"
    if let next = p.nextTier {
      verdict += " to \(next)"
      if let price = p.price { verdict += " at \(price) \(p.currency ?? "")" }
      if let owner = p.owner { verdict += ", owner \(owner)" }
    }
    lines.append(verdict)
    if let readySince {
      lines.append("  ready since \(readySince.rfc3339) without a break, under these rules")
    }
    for condition in p.readiness { lines.append(conditionLine(condition, indent: "  ")) }
    if let proposition = p.valueProposition {
      lines.append("  value proposition: \(printable(proposition))")
    }
    lines.append("")

    lines.append("Triggers")
    if p.triggers.isEmpty { lines.append("  none evaluated (the account is not active)") }
    for trigger in p.triggers {
      let when = trigger.firedAt.map { "fired at \($0)" } ?? "not fired"
      lines.append("  \(trigger.type): \(trigger.fired ? when : "not fired")")
      for condition in trigger.conditions { lines.append(conditionLine(condition, indent: "    ")) }
    }

    if let checkin = p.checkin {
      lines.append("")
      var text = "Check-in due on \(checkin.dueOn): \(checkin.status)"
      if let completed = checkin.completedAt { text += " (completed \(completed))" }
      lines.append(text)
    }

    lines.append("")
    lines.append("Offers")
    if p.offers.isEmpty { lines.append("  none") }
    for offer in p.offers {
      var trigger = offer.trigger.map { " for the \($0) trigger" } ?? ""
      // An offer can name a trigger that had not fired: a finding for the audit.
      if offer.triggerFired == false {
        trigger += ", which had not fired, or did not count, by then"
      }
      lines.append(
        "  \(offer.at) offered \(offer.to) by \(offer.by)\(trigger)"
          + (offer.open ? " (open)" : " (closed)"))
    }

    lines.append("")
    lines.append("Expansions")
    if p.expansions.isEmpty { lines.append("  none") }
    for expansion in p.expansions {
      let attribution =
        expansion.attributedTo.isEmpty
        ? "unattributed" : "attributed to " + expansion.attributedTo.joined(separator: ", ")
      var text =
        "  \(expansion.at) \(expansion.from) -> \(expansion.to), ACV +\(expansion.acvDelta), "
      text += attribution
      if let offer = expansion.offer { text += "; offer of \(offer.at) by \(offer.by)" }
      lines.append(text)
    }
    return lines
  }

  static func conditionLine(_ condition: Condition, indent: String) -> String {
    indent + (condition.met ? "[met]     " : "[not met] ") + condition.name + ": actual "
      + condition.actual + ", required " + condition.required
  }
}
