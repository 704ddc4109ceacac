import TierlineEvents
import TierlineImport
import TierlineLedger
import TierlinePlaybook
import TierlineProjections

/// `tierline import`: derives events from CSV, billing, Stripe or Segment exports and
/// appends them in one batch.
enum ImportCommand: Command {
  static let spec = CommandSpec(
    name: "import",
    summary: "Import events from CSV, subscription, Stripe or Segment exports.",
    usage: "<csv|subscriptions|stripe|segment> FILE [options]",
    options: [
      OptionSpec(
        name: "mapping", valueName: "FILE",
        help: "column mapping (csv) or event-name mapping (segment), JSON"),
      OptionSpec(
        name: "decimal-separator", valueName: "C",
        help: "decimal separator of numbers in CSV cells: . (default) or ,"),
      OptionSpec(
        name: "prices", valueName: "FILE",
        help: "stripe: JSON object from Stripe price id to tier id"),
      OptionSpec(
        name: "currency", valueName: "CODE",
        help: "subscriptions: ISO 4217 currency of the amounts (default: the playbook's)"),
      OptionSpec(
        name: "timezone", valueName: "ZONE",
        help: "subscriptions, stripe: IANA time zone of new accounts (default: UTC)"),
      OptionSpec(
        name: "dry-run", valueName: nil,
        help: "print what would be appended and rejected; store nothing"),
      OptionSpec(
        name: "skip-invalid", valueName: nil,
        help: "append the valid records even when others are rejected"),
      OptionSpec(
        name: "no-merge", valueName: nil,
        help: "skip the merge of index runs after the batch (`tierline compact` merges them)"),
      OptionSpec(name: "json", valueName: nil, help: "print the report as JSON"),
    ],
    positionals: ["FORMAT", "FILE"],
    requiredPositionals: 2,
    details: """
      Formats: csv (needs --mapping), subscriptions, stripe, segment (needs --mapping).
      docs/importers.md describes each format and how it becomes events.

      The whole file is read and checked before anything is stored, and the new events
      are appended in one batch. By default any rejected record fails the import with
      exit code 65 and nothing is stored; --skip-invalid stores the valid records and
      lists the rejected ones. Events already in the ledger are counted as duplicates,
      so importing the same file again appends nothing. As `tierline append` does, an
      import that stored events then merges the smallest index runs into one, as many as
      hold no more entries together than the events it stored; --no-merge leaves them.
      """)

  /// The formats that `import` reads.
  static let formats = ["csv", "subscriptions", "stripe", "segment"]

  /// Throws a usage error, with the closest format names, when `format` is not one of
  /// `formats`.
  static func checkFormat(_ format: String) throws(UsageError) {
    guard !formats.contains(format) else { return }
    let closest = suggestedNames(for: format, among: formats).first
    throw UsageError(
      "unknown import format (\(visibleText(format))): "
        + (closest.map { "did you mean `\($0)`? Use " } ?? "use ")
        + "csv, subscriptions, stripe or segment")
  }

  /// How many rejected records are listed before the rest are only counted.
  static let listedRejectionLimit = 50

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let format = arguments.positionals[0]
    let path = arguments.positionals[1]
    // Standard input can be read once, so at most one input may be `-`.
    let fromStandardInput = [path, arguments.value("mapping"), arguments.value("prices")]
      .filter { $0 == "-" }
    guard fromStandardInput.count <= 1 else {
      throw UsageError("only one input can be - (standard input); give the others as files")
    }
    // An unknown format is a usage error, reported before a missing ledger is.
    try checkFormat(format)
    let ledger = try context.openLedger()
    let plan = try makePlan(format: format, path: path, arguments: arguments, ledger: ledger)
    let dryRun = arguments.flag("dry-run")
    let skipInvalid = arguments.flag("skip-invalid")
    let report = try ImportRunner.run(
      plan, ledger: ledger, dryRun: dryRun, skipInvalid: skipInvalid)

    for warning in report.warnings {
      writeToStandardError("warning: \(terminalSafe(warning))\n")
    }
    if report.stored {
      // As `append` does: an account that got its first events from this import without
      // a landing may have a mistyped id in the input or the mapping.
      try UnlandedAccounts(report.newEvents, in: ledger, appended: true).warn(in: ledger)
    }
    var merge: IndexRunMerge?
    if report.stored, report.appended > 0, !arguments.flag("no-merge") {
      merge = AppendCommand.mergeSmallestRuns(in: ledger, appended: report.appended)
    }
    if arguments.flag("json") {
      context.output.jsonLine(ImportReportJSON.encode(report, dryRun: dryRun, merge: merge))
    } else {
      printText(report, dryRun: dryRun, skipInvalid: skipInvalid, context: context)
      if let merge, merge.merged { context.output.line(AppendCommand.mergeSentence(merge)) }
    }
    if !report.rejections.isEmpty, !skipInvalid {
      let count = report.rejections.count
      throw CommandFailure(
        message: "\(path): \(count) record\(count == 1 ? " was" : "s were") rejected; "
          + "nothing was stored: fix the input, or import with --skip-invalid",
        exitCode: .dataError)
    }
  }

  /// The format-specific options that each format accepts.
  static let formatOptions: [String: Set<String>] = [
    "csv": ["mapping", "decimal-separator"],
    "subscriptions": ["currency", "timezone", "decimal-separator"],
    "stripe": ["prices", "timezone"],
    "segment": ["mapping"],
  ]

  private static func makePlan(
    format: String, path: String, arguments: ParsedArguments, ledger: Ledger
  ) throws -> ImportPlan {
    let formatSpecific = Set(["mapping", "decimal-separator", "prices", "currency", "timezone"])
    if let accepted = formatOptions[format] {
      let givenOptions = Set(arguments.values.keys).intersection(formatSpecific)
      if let option = givenOptions.subtracting(accepted).sorted().first {
        throw UsageError(
          "option --\(option) does not apply to import \(format); it accepts "
            + accepted.sorted().map { "--" + $0 }.joined(separator: ", "))
      }
    }
    do {
      switch format {
      case "csv":
        let separator = try decimalSeparator(arguments)
        let mappingPath = try requiredMapping(arguments)
        let mapping = try setup(naming: mappingPath) {
          try CSVMapping(json: try readFile(mappingPath, purpose: "mapping"))
        }
        return try CSVImporter.plan(
          try readFile(path, purpose: "CSV"), mapping: mapping, decimalSeparator: separator)
      case "subscriptions":
        let currency = try arguments.value("currency").map { code in
          guard let currency = Currency(code: code) else {
            throw UsageError("invalid --currency (\(code)): use an ISO 4217 code such as USD")
          }
          return currency
        }
        let separator = try decimalSeparator(arguments)
        let playbook = try currentPlaybook(ledger)
        if let currency, currency != playbook.currency {
          throw UsageError(
            "invalid --currency (\(currency.code)): the tiers of the rules in force are priced in "
              + "\(playbook.currency), and tiers are chosen from amounts in that currency")
        }
        return try SubscriptionImporter.plan(
          try readFile(path, purpose: "subscriptions"), playbook: playbook,
          currency: currency, timeZone: try timeZone(arguments),
          decimalSeparator: separator, tiers: try tierSchedule(ledger))
      case "stripe":
        let playbook = try currentPlaybook(ledger)
        let prices = try arguments.value("prices").map { file in
          try setup(naming: file) {
            let prices = try PriceMapping.read(try readFile(file, purpose: "price mapping"))
            try PriceMapping.checkTiers(prices, in: playbook)
            return prices
          }
        }
        return try StripeImporter.plan(
          try readFile(path, purpose: "Stripe events"), playbook: playbook,
          prices: prices ?? [:], timeZone: try timeZone(arguments),
          tiers: try tierSchedule(ledger))
      case "segment":
        let mappingPath = try requiredMapping(arguments)
        let mapping = try setup(naming: mappingPath) {
          try SegmentMapping(json: try readFile(mappingPath, purpose: "mapping"))
        }
        return SegmentImporter.plan(
          try readFile(path, purpose: "Segment calls"), mapping: mapping)
      default:
        // `run` checked the format already; this throws the same error for other callers.
        try checkFormat(format)
        throw UsageError("unknown import format (\(visibleText(format)))")
      }
    } catch let error as ImportSetupError {
      throw CommandFailure(message: "\(path): \(error.message)", exitCode: .dataError)
    }
  }

  /// Returns the `--timezone` value, UTC by default.
  /// - Throws: `UsageError` when the value is not an IANA time zone name.
  private static func timeZone(_ arguments: ParsedArguments) throws -> String {
    let zone = arguments.value("timezone") ?? "UTC"
    // The same check as for event time zones, which also rejects offset names such as GMT+3.
    guard isIANATimeZone(zone), ZoneCalendar(identifier: zone) != nil else {
      throw UsageError(
        "invalid --timezone (\(zone)): use an IANA time zone name such as Europe/Berlin")
    }
    return zone
  }

  /// Runs `body`, which reads a mapping file, and names that file in its setup errors.
  private static func setup<T>(naming path: String, _ body: () throws -> T) throws -> T {
    do {
      return try body()
    } catch let error as ImportSetupError {
      throw CommandFailure(message: "\(path): \(error.message)", exitCode: .dataError)
    }
  }

  /// Returns the playbook in force now, whose currency imported revenue must have.
  private static func currentPlaybook(_ ledger: Ledger) throws -> Playbook {
    try ledger.rules(asOf: .now, knownAt: .now).playbook
  }

  /// Returns the tiers of every activation, so that a revenue change is given a tier of
  /// the rules in force when it happened, which `append` checks it against.
  private static func tierSchedule(_ ledger: Ledger) throws -> TierAssignment {
    let activations = try ledger.activations()
    let playbook = try currentPlaybook(ledger)
    return TierAssignment(
      schedule: activations.map { ($0.effectiveAt, $0.playbook) }, currency: playbook.currency)
  }

  private static func requiredMapping(_ arguments: ParsedArguments) throws -> String {
    guard let path = arguments.value("mapping") else {
      throw UsageError(
        "import \(arguments.positionals[0]) needs --mapping FILE; see docs/importers.md, "
          + "and examples/ for a mapping of each kind")
    }
    return path
  }

  private static func decimalSeparator(_ arguments: ParsedArguments) throws -> DecimalSeparator {
    guard let text = arguments.value("decimal-separator") else { return .point }
    guard let separator = DecimalSeparator(rawValue: text) else {
      throw UsageError("invalid --decimal-separator (\(text)): use . or ,")
    }
    return separator
  }

  private static func printText(
    _ report: ImportReport, dryRun: Bool, skipInvalid: Bool, context: CommandContext
  ) {
    if dryRun {
      // One record can give several events, which then share its line number, so each
      // of them is numbered within its record.
      var eventsPerLine: [Int: Int] = [:]
      for item in report.newEvents { eventsPerLine[item.line, default: 0] += 1 }
      var listedPerLine: [Int: Int] = [:]
      for item in report.newEvents {
        var label = "would append \(report.unit) \(item.line)"
        if let total = eventsPerLine[item.line], total > 1 {
          listedPerLine[item.line, default: 0] += 1
          label += " (event \(listedPerLine[item.line] ?? 1) of \(total))"
        }
        context.output.line(label + ": " + EventJSON.encode(item.incoming.event))
      }
      for rejection in report.rejections {
        context.output.line("would reject " + rejection.description)
      }
    } else {
      let label = skipInvalid ? "skipped" : "rejected"
      for rejection in report.rejections.prefix(listedRejectionLimit) {
        writeToStandardError("\(label): \(oneLine("\(rejection)"))\n")
      }
      let more = report.rejections.count - listedRejectionLimit
      if more > 0 { writeToStandardError("\(label): \(more) more records\n") }
    }
    let appended = dryRun ? report.newEvents.count : report.appended
    var text =
      (dryRun ? "Dry run: would append " : "Appended ") + counted(appended, "event")
    text += ", skipped \(counted(report.duplicates, "duplicate")), rejected "
    text += "\(counted(report.rejections.count, "record")), ignored "
    text += counted(report.ignored, "record")
    if dryRun { text += "; nothing was stored" }
    context.output.line(text + ".")
  }
}
