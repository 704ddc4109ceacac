import Foundation
import TierlineEvents
import TierlineLedger
import TierlinePlaybook

/// Reads a playbook file given with --rules.
func playbookOption(_ arguments: ParsedArguments) throws -> Playbook? {
  guard let path = arguments.value("rules") else { return nil }
  return try loadPlaybook(path, purpose: "rules")
}

/// Reads and parses a playbook file. `purpose` names the file in read errors, such as
/// "rules file does not exist".
/// - Throws: `CommandFailure` with exit code 65 for an invalid playbook. A field error
///   points to docs/rules.md, which describes the file format.
func loadPlaybook(_ path: String, purpose: String) throws -> Playbook {
  do {
    return try Playbook(json: try readPlaybookFile(path, purpose: purpose))
  } catch let error as PlaybookError {
    let problem =
      error.field.isEmpty
      ? error.reason
      : "\(error.field): \(error.reason); see docs/rules.md for the file format"
    throw CommandFailure(
      message: "invalid playbook (\(path)): \(problem)", exitCode: .dataError)
  }
}

/// Returns the replay point from a valid-time option (`as-of` or `at`) and --known-at.
func requestedPoint(_ arguments: ParsedArguments, validTimeOption: String) throws
  -> RequestedPoint
{
  let asOf = try arguments.value(validTimeOption).map {
    try parseTimeOption($0, option: validTimeOption)
  }
  let knownAt = try arguments.value("known-at").map {
    try parseTimeOption($0, option: "known-at")
  }
  return RequestedPoint(asOf: asOf ?? .now, knownAt: knownAt)
}

/// Returns the transaction time of a query: `knownAt`, or the ledger's latest transaction
/// time (now for an empty ledger) when `knownAt` is nil or later. A later `knownAt` also
/// gets a note on standard error. Every write not committed by then gets a later stamp.
func resolvedKnownAt(_ knownAt: Timestamp?, in ledger: Ledger) throws -> Timestamp {
  let latest = try ledger.latestTransactionTime()
  // Writes after the latest one could still change a result known at a later time, so
  // such a time is taken as the latest write, which the output then prints. The note
  // explains why the printed time differs from the one given.
  if let knownAt, let latest, knownAt > latest {
    writeToStandardError(
      "note: --known-at \(knownAt.rfc3339) is after the latest write, so the output is as "
        + "known at \(latest.rfc3339), the latest write; pass --known-at \(latest.rfc3339) "
        + "with the same --as-of to repeat this output after later writes\n")
    return latest
  }
  return knownAt ?? latest ?? .now
}

/// The times given on the command line, before the ledger is open.
struct RequestedPoint {
  var asOf: Timestamp
  /// Nil when `--known-at` was not given.
  var knownAt: Timestamp?

  /// Returns the point, with a missing known-at set to the ledger's latest transaction
  /// time (now for an empty ledger).
  ///
  /// Every write not committed by then gets a later stamp, so the same point gives the
  /// same projections later, even while other processes append.
  func resolved(in ledger: Ledger) throws -> ReplayPoint {
    ReplayPoint(asOf: asOf, knownAt: try resolvedKnownAt(knownAt, in: ledger))
  }

  /// The point with a missing known-at set to now, for checking other options before
  /// the ledger is open.
  var provisional: ReplayPoint {
    ReplayPoint(asOf: asOf, knownAt: knownAt ?? .now)
  }
}

let rulesOptionSpec = OptionSpec(
  name: "rules", valueName: "FILE",
  help: "fold the whole history under this playbook instead of the activated rules")
let knownAtOptionSpec = OptionSpec(
  name: "known-at", valueName: "K",
  help: "transaction time: leave out events recorded after K (default, and at most: the "
    + "latest append or activation, so the answer can be repeated with the same valid "
    + "time)",
  validate: validateTimeOption)
let jsonOptionSpec = OptionSpec(name: "json", valueName: nil, help: "print JSON")
let threadsOptionSpec = OptionSpec(
  name: "threads", valueName: "N",
  help: "fold every account on N threads, from 1 to 256 and capped at the number of "
    + "processors (default 1); each thread runs at most 4 groups of accounts ahead of the "
    + "output",
  validate: integerOptionValidator(threadCountRange))
/// The thread counts that --threads accepts, before the cap at the processor count.
let threadCountRange = 1...256

/// Returns the count given to --threads, from 1 to 256 and not yet capped at the
/// processor count, or 1 when --threads is absent.
func requestedThreads(_ arguments: ParsedArguments) throws(UsageError) -> Int {
  guard let text = arguments.value("threads") else { return 1 }
  return try parseIntegerOption(text, option: "threads", range: threadCountRange)
}

/// Reads --threads, from 1 to 256; 1 when it is absent.
///
/// The count is capped at the number of active processors, with a note on standard
/// error when that lowers it. More threads fold no faster, and each keeps its own
/// account table, entry lists and projections: with 256 threads on 2 processors, a
/// replay of 8.9M events peaked at 1,016 MB against 385 to 396 MB with 2.
func threadsOption(_ arguments: ParsedArguments) throws(UsageError) -> Int {
  let requested = try requestedThreads(arguments)
  let processors = max(1, ProcessInfo.processInfo.activeProcessorCount)
  guard requested > processors else { return requested }
  writeToStandardError(
    "note: --threads \(requested) runs on \(counted(processors, "thread")), one per "
      + "processor\n")
  return processors
}
let timeFormatsHelp = """
  Times are RFC 3339 with an offset (2025-06-30T12:00:00Z) or a date (2025-06-30),
  which means the last microsecond of that day in UTC.
  """

/// Returns the failure for an account with no visible event at `point`.
func accountNotFound(_ account: AccountID, at point: ReplayPoint) -> CommandFailure {
  CommandFailure(
    message: "account not found (\(account.value)): none of its events is visible as of "
      + "\(point.asOf.rfc3339), known at \(point.knownAt.rfc3339); ids are case-sensitive, "
      + "and `tierline replay` lists every account; an earlier time leaves out later events",
    exitCode: .failure)
}
