import TierlineEvents
import TierlineLedger
import TierlineMetrics

/// Parses a non-negative decimal option such as --cac 7200.00 or --gross-margin 0.8.
func parseDecimalOption(_ text: String, option: String, atMostOne: Bool = false)
  throws(UsageError) -> Fraction
{
  guard let value = Fraction(decimal: text), !(value < .zero),
    !atMostOne || !(Fraction(1) < value)
  else {
    let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    if !atMostOne, parts[0].utf8.count > 18, parts.allSatisfy(isASCIIDigits) {
      throw UsageError(
        "invalid value for --\(option) (\(text)): too large; use at most 18 digits before "
          + "the decimal point")
    }
    let range = atMostOne ? "a decimal from 0 to 1 such as 0.8" : "a non-negative decimal"
    throw UsageError("invalid value for --\(option) (\(text)): use \(range)")
  }
  return value
}

/// Reads the metrics options from the command line; the times come from `point`.
/// Opens the ledger and computes the metrics that `metrics` and `report` print, after
/// checking every option, so that bad options are usage errors before a missing ledger.
func computeMetrics(_ arguments: ParsedArguments, context: CommandContext) throws
  -> (ledger: Ledger, point: ReplayPoint, metrics: PortfolioMetrics)
{
  let requested = try requestedPoint(arguments, validTimeOption: "as-of")
  _ = try metricsOptions(arguments, point: requested.provisional)
  let threads = try threadsOption(arguments)
  let override = try playbookOption(arguments)
  let ledger = try context.openLedger()
  let point = try requested.resolved(in: ledger)
  let options = try metricsOptions(arguments, point: point)
  let rules = try ledger.replayRules(at: point, override: override)
  try checkCACPlaces(arguments, currency: rules.playbook.currency)
  return (ledger, point, try ledger.metrics(options: options, rules: rules, threads: threads))
}

func metricsOptions(_ arguments: ParsedArguments, point: ReplayPoint) throws -> MetricsOptions {
  var options = MetricsOptions(asOf: point.asOf, knownAt: point.knownAt)
  if let text = arguments.value("cohort") {
    options.cohortPeriod = try parseCohortOption(text)
  }
  if let text = arguments.value("cac") {
    options.cac = try parseCACOption(text)
  }
  if let text = arguments.value("gross-margin") {
    options.grossMargin = try parseDecimalOption(text, option: "gross-margin", atMostOne: true)
  }
  if let text = arguments.value("payback-months") {
    options.paybackMonths = try parseIntegerOption(
      text, option: "payback-months", range: monthCountRange)
  }
  if let text = arguments.value("small-after-months") {
    options.smallAfterMonths = try parseIntegerOption(
      text, option: "small-after-months", range: monthCountRange)
  }
  return options
}

/// The values that --payback-months and --small-after-months accept.
let monthCountRange = 1...600

func parseCohortOption(_ text: String) throws(UsageError) -> CohortPeriod {
  guard let period = CohortPeriod(rawValue: text) else {
    throw UsageError("invalid value for --cohort (\(text)): use month or quarter")
  }
  return period
}

func parseCACOption(_ text: String) throws(UsageError) -> Fraction {
  // Money is exact to the currency's minor unit, as in events and playbooks. No
  // supported currency has more than 3 decimal places. `checkCACPlaces` checks the
  // playbook's currency once the rules are read.
  if decimalPlaces(text) > 3 {
    throw UsageError(
      "invalid value for --cac (\(text)): has \(counted(decimalPlaces(text), "decimal place")); "
        + "no currency allows more than 3")
  }
  return try parseDecimalOption(text, option: "cac")
}

/// Rejects a --cac amount with more decimal places than `currency` has minor-unit digits,
/// such as 1000.55 for the yen.
func checkCACPlaces(_ arguments: ParsedArguments, currency: Currency) throws(UsageError) {
  guard let text = arguments.value("cac") else { return }
  let places = decimalPlaces(text)
  guard places > currency.minorUnitDigits else { return }
  throw UsageError(
    "invalid value for --cac (\(text)): has \(counted(places, "decimal place")); "
      + "\(currency.code) allows \(currency.minorUnitDigits)")
}

/// Returns the number of digits after the decimal point of `text`.
private func decimalPlaces(_ text: String) -> Int {
  guard let point = text.firstIndex(of: ".") else { return 0 }
  return text[text.index(after: point)...].count
}

/// The options shared by `metrics` and `report`.
let metricsOptionSpecs = [
  OptionSpec(
    name: "as-of", valueName: "T",
    help: "valid time: leave out events that occurred after T (default: now)",
    validate: validateTimeOption),
  knownAtOptionSpec,
  OptionSpec(
    name: "cac", valueName: "AMOUNT",
    help:
      "acquisition cost per account in the playbook currency, to its minor unit (default: the maximum CAC)",
    validate: { text, _ throws(UsageError) in _ = try parseCACOption(text) }),
  OptionSpec(
    name: "gross-margin", valueName: "R", help: "gross margin from 0 to 1 (default 0.8)",
    validate: { text, option throws(UsageError) in
      _ = try parseDecimalOption(text, option: option, atMostOne: true)
    }),
  OptionSpec(
    name: "payback-months", valueName: "N", help: "target CAC payback in months (default 18)",
    validate: integerOptionValidator(monthCountRange)),
  OptionSpec(
    name: "cohort", valueName: "month|quarter",
    help: "group landing cohorts by calendar month or quarter (default month)",
    validate: { text, _ throws(UsageError) in _ = try parseCohortOption(text) }),
  OptionSpec(
    name: "small-after-months", valueName: "N",
    help: "months on the landing tier that make an account permanently small (default 18)",
    validate: integerOptionValidator(monthCountRange)),
  rulesOptionSpec,
  threadsOptionSpec,
]
