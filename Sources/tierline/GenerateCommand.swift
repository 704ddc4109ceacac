import TierlineEvents
import TierlineLedger

/// `tierline generate`: a seeded sample portfolio as NDJSON.
enum GenerateCommand: Command {
  static let spec = CommandSpec(
    name: "generate",
    summary: "Write a seeded, realistic sample portfolio as NDJSON events.",
    usage: "[--accounts N] [--seed S]",
    options: [
      OptionSpec(
        name: "accounts", valueName: "N", help: "number of accounts (default 200)",
        validate: integerOptionValidator(accountCountRange)),
      OptionSpec(
        name: "seed", valueName: "S", help: "random seed, a whole number (default 1)",
        validate: { text, _ throws(UsageError) in _ = try parseSeed(text) }),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      The same seed and account count always give the same bytes. Events come in arrival
      order, so some usage records arrive after later events (late data). Fill a demo
      ledger with: tierline generate | tierline append -
      Account and event ids depend on the account count, not on the seed, so samples
      with two seeds cannot share a ledger: the second append rejects the reused ids.
      """,
    usesStore: false)

  /// The values that --accounts accepts.
  static let accountCountRange = 1...10_000_000

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let accounts =
      try arguments.value("accounts").map {
        try parseIntegerOption($0, option: "accounts", range: accountCountRange)
      } ?? 200
    let seed = try parseSeed(arguments.value("seed") ?? "1")
    let generator = PortfolioGenerator(accounts: accounts, seed: seed)
    generator.generate { event in
      context.output.jsonLine(EventJSON.encode(event))
    }
  }

  static func parseSeed(_ text: String) throws(UsageError) -> UInt64 {
    guard let seed = UInt64(text) else {
      throw UsageError(
        "invalid value for --seed (\(text)): use an integer from 0 to \(UInt64.max)")
    }
    return seed
  }
}
