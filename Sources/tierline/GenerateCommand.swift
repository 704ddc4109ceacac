import TierlineEvents
import TierlineLedger

/// `tierline generate`: a seeded sample portfolio as NDJSON.
enum GenerateCommand: Command {
  static let spec = CommandSpec(
    name: "generate",
    summary: "Write a seeded, realistic sample portfolio as NDJSON events.",
    usage: "[--accounts N] [--seed S]",
    options: [
      OptionSpec(name: "accounts", valueName: "N", help: "number of accounts (default 200)"),
      OptionSpec(name: "seed", valueName: "S", help: "random seed, a whole number (default 1)"),
    ],
    positionals: [],
    requiredPositionals: 0,
    details: """
      The same seed and account count always give the same bytes. Events come in arrival
      order, so some usage records arrive after later events (late data). Fill a demo
      ledger with: tierline generate | tierline append -
      """,
    usesStore: false)

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let accounts =
      try arguments.value("accounts").map {
        try parseIntegerOption($0, option: "accounts", range: 1...10_000_000)
      } ?? 200
    let seedText = arguments.value("seed") ?? "1"
    guard let seed = UInt64(seedText) else {
      throw UsageError(
        "invalid value for --seed (\(seedText)): use an integer from 0 to \(UInt64.max)")
    }
    let generator = PortfolioGenerator(accounts: accounts, seed: seed)
    generator.generate { event in
      context.output.line(EventJSON.encode(event))
    }
  }
}
