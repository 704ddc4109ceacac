#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TierlineEvents
import TierlineLedger

/// `tierline append`: validates NDJSON events and stores them atomically.
enum AppendCommand: Command {
  static let spec = CommandSpec(
    name: "append",
    summary: "Append NDJSON events from a file or standard input.",
    usage: "[FILE|-] [--batch-size N] [--no-merge] [--json]",
    options: [
      OptionSpec(
        name: "batch-size", valueName: "N",
        help: "store every N events in their own transaction, at most 1000000 (default: all in "
          + "one, which then holds at most 1000000 events)",
        validate: integerOptionValidator(batchSizeRange)),
      OptionSpec(
        name: "no-merge", valueName: nil,
        help: "skip the merge of index runs after the last batch (`tierline compact` merges "
          + "them)"),
      OptionSpec(name: "json", valueName: nil, help: "print the counts as JSON"),
    ],
    positionals: ["FILE"],
    requiredPositionals: 0,
    details: """
      Every line is validated before anything is stored. Without --batch-size the whole
      input is one batch, held in memory: it is stored completely or not at all. With
      --batch-size, each batch is atomic and a failure leaves the earlier batches stored
      (the output says which). The validated events then wait in a temporary file, and
      one batch at a time is in memory. The file is in $TMPDIR, else /tmp, or else in
      the ledger directory, and it is deleted when append ends. An event whose id is
      already stored with identical content is a duplicate and is skipped; the same id
      with other content is rejected.

      Each batch adds a sorted run to the ledger's indexes, and a query of one account
      seeks it in every run. After the last batch, or after a failed batch when earlier
      ones stored events, append merges the smallest runs into one: as many as hold no
      more entries together than the events it stored. So a bulk load into an empty
      ledger ends with one run, and a one-batch append merges only runs smaller than its
      own. The merge writes the merged entries anew before it frees the old runs' pages,
      so data.mdb grows by about their size, and later writes reuse the freed pages.
      --no-merge skips this merge, for an append that must not hold the write lock longer
      than its batches do; `tierline compact` merges every run later. A batch that fills
      the eight runs of a level still merges them into one run of the next level.
      """)

  /// The values that --batch-size accepts.
  static let batchSizeRange = 1...Ledger.maximumBatchEvents

  /// How many invalid lines are listed before the rest are only counted.
  static let listedErrorLimit = 20

  static func run(_ arguments: ParsedArguments, context: CommandContext) throws {
    let batchSize = try arguments.value("batch-size").map {
      try parseIntegerOption($0, option: "batch-size", range: batchSizeRange)
    }
    let path = arguments.positionals.first ?? "-"
    // The ledger is opened first, so a missing ledger is reported before any input error.
    let ledger = try context.openLedger()
    let spool = batchSize == nil ? nil : spoolFile(ledgerDirectory: context.storeDirectory)
    let input = try readEvents(path: path, into: AppendInput(spool: spool))
    let unlanded = try UnlandedAccounts(input.accounts, in: ledger)

    let size = batchSize ?? max(input.count, 1)
    if size < input.count, let repeated = input.repeatedID { throw repeated }
    var appended = 0
    var duplicates = 0
    var firstPosition: UInt64?
    var lastPosition: UInt64?
    // Each batch gets its own stamp. These are the stamps of the first and the last batch
    // that stored events.
    var firstRecordedAt: Timestamp?
    var recordedAt: Timestamp?
    // The number of events stored or skipped by the batches before the current one.
    var start = 0
    // The merge of index runs after the last batch, when one was tried and succeeded.
    var merge: IndexRunMerge?
    // Builds the JSON summary. `failedLine` is the first line of a batch that stored nothing.
    let jsonSummary = { (failedLine: Int?) -> String in
      var fields = ["\"appended\":\(appended)", "\"duplicates\":\(duplicates)"]
      fields.append(
        "\"first_recorded_at\":" + (firstRecordedAt.map { jsonQuoted($0.rfc3339) } ?? "null"))
      fields.append("\"recorded_at\":" + (recordedAt.map { jsonQuoted($0.rfc3339) } ?? "null"))
      fields.append("\"first_position\":" + (firstPosition.map(String.init) ?? "null"))
      fields.append("\"last_position\":" + (lastPosition.map(String.init) ?? "null"))
      if let failedLine { fields.append("\"failed_from_line\":\(failedLine)") }
      fields.append("\"index_runs_merged\":\(merge?.mergedRuns ?? 0)")
      fields.append("\"index_runs\":" + runsLeftJSON(merge))
      return "{" + fields.joined(separator: ",") + "}"
    }
    let progress = Progress()
    defer { progress.finish() }
    // Merges the stored batches' smallest runs, unless nothing was stored or --no-merge.
    let mergeStoredRuns = {
      guard appended > 0, !arguments.flag("no-merge") else { return }
      progress.report("merging index runs")
      merge = mergeSmallestRuns(in: ledger, appended: appended)
    }
    // The line after the last event of the batches stored so far.
    var nextLine = 1
    // Says what the earlier batches stored when a later one fails, reading or storing.
    let reportPartial = { (failedLine: Int, inputMayBeAtFault: Bool) in
      guard start > 0 else { return }
      writeToStandardError(
        "note: lines 1 to \(failedLine - 1) went in earlier batches, which stored "
          + "\(counted(appended, "new event")) and skipped \(counted(duplicates, "duplicate"))"
          + "; the batch from line \(failedLine) on stored nothing. "
          + (inputMayBeAtFault ? "Fix the input and append" : "Append")
          + " all of it again: what is stored is skipped as duplicates\n")
      try? unlanded.warn(in: ledger)
      // The stored batches' runs are merged as after a complete append, because a retry
      // of the whole input stores only the rest and merges no more than that.
      mergeStoredRuns()
      // A script reading the JSON learns what the earlier batches stored.
      if arguments.flag("json") {
        context.output.jsonLine(jsonSummary(failedLine))
      } else if let merge, merge.merged {
        context.output.line(mergeSentence(merge))
      }
    }
    var batches = try input.batches(size: size)
    while true {
      let batch: [NumberedEvent]
      do {
        guard let next = try batches.nextBatch() else { break }
        batch = next
      } catch {
        reportPartial(nextLine, false)
        throw error
      }
      let summary: AppendSummary
      do {
        summary = try ledger.append(batch)
      } catch {
        reportPartial(batch[0].line, true)
        throw error
      }
      nextLine = batch[batch.count - 1].line + 1
      appended += summary.appended
      duplicates += summary.duplicates
      // A batch of duplicates only stores nothing, so its stamp is not one the ledger has.
      if summary.appended > 0 {
        firstRecordedAt = firstRecordedAt ?? summary.recordedAt
        recordedAt = summary.recordedAt
      }
      if let positions = summary.positions {
        firstPosition = firstPosition ?? positions.lowerBound
        lastPosition = positions.upperBound
      }
      start += batch.count
      progress.report("stored \(start) of \(input.count) events")
    }
    mergeStoredRuns()

    if arguments.flag("json") {
      context.output.jsonLine(jsonSummary(nil))
    } else {
      var text =
        "Appended \(counted(appended, "event")), skipped \(counted(duplicates, "duplicate"))"
      if let firstPosition, let lastPosition {
        // With --batch-size, other writers can store events between two batches.
        let contiguous = lastPosition - firstPosition + 1 == UInt64(appended)
        text +=
          contiguous
          ? " (positions \(firstPosition) to \(lastPosition)"
          : " (first position \(firstPosition), last \(lastPosition), with other writers' "
            + "events between"
        if let firstRecordedAt, let recordedAt, firstRecordedAt != recordedAt {
          text +=
            ", recorded from \(firstRecordedAt.rfc3339) to \(recordedAt.rfc3339), one time per batch)"
        } else {
          text += recordedAt.map { ", recorded at \($0.rfc3339))" } ?? ")"
        }
      }
      context.output.line(text + ".")
      if let merge, merge.merged { context.output.line(mergeSentence(merge)) }
    }
    if appended > 0 {
      try unlanded.warn(in: ledger)
      noteUnusedNames(input.names, in: ledger)
      // The count includes events skipped as duplicates, which the summary does not list.
      if let warning = input.futureEvents.warning(events: "events of the input") {
        writeToStandardError("warning: \(warning)\n")
      }
    }
  }

  /// Merges the smallest index runs after an append of `appended` events, and returns
  /// what it did, or nil after a warning when the merge failed. The events are stored
  /// either way, and a failed merge changes nothing.
  static func mergeSmallestRuns(in ledger: Ledger, appended: Int) -> IndexRunMerge? {
    do {
      return try ledger.mergeSmallestIndexRuns(within: UInt64(appended))
    } catch {
      // The message of damage already names `verify` and a backup, and a later merge
      // would fail on the same damage.
      let damaged = error.reportsDamage
      writeToStandardError(
        "warning: the events are stored, but merging the index runs failed: \(error.message)."
          + (damaged ? "" : " The runs stay as they are until `tierline compact` merges them.")
          + "\n")
      return nil
    }
  }

  /// Returns the `index_runs` value of the JSON summary: the runs left after `merge`, or
  /// null when no merge was tried or it failed, and before storage format 4.
  static func runsLeftJSON(_ merge: IndexRunMerge?) -> String {
    guard let merge, merge.events != nil else { return "null" }
    return String(merge.runsAfter)
  }

  /// Returns the sentence that reports a merge of index runs after an append.
  static func mergeSentence(_ merge: IndexRunMerge) -> String {
    guard merge.mergedRuns < merge.runsBefore else {
      return "Merged the \(merge.mergedRuns) index runs into one."
    }
    return "Merged \(merge.mergedRuns) of the \(merge.runsBefore) index runs into one, which "
      + "leaves \(counted(merge.runsAfter, "run"))."
  }

  /// Returns the temporary file in which the events of a batched append wait, or nil,
  /// after a note, when none can be created, so that they wait in memory instead.
  ///
  /// It goes in `$TMPDIR`, else `/tmp`, as other tools' temporary files do, so that it
  /// takes no room on the ledger's disk unless that is where they lie. The ledger's
  /// directory comes next, with a note, when that place cannot take it.
  static func spoolFile(ledgerDirectory: String) -> EventSpool? {
    let given = getenv("TMPDIR")
    // A path that is not UTF-8 would be changed on its way through a Swift string.
    let temporary: String
    if let given, let path = String(validatingCString: given), !path.isEmpty {
      temporary = path
    } else {
      if given.map({ String(validatingCString: $0) == nil }) == true {
        writeToStandardError("note: TMPDIR is not valid UTF-8, so /tmp is used instead\n")
      }
      temporary = "/tmp"
    }
    do {
      let spool = try EventSpool(in: [temporary, ledgerDirectory])
      if !spool.skipped.isEmpty {
        writeToStandardError(
          "note: cannot create a temporary file for the batches in "
            + spool.skipped.joined(separator: "; ") + ", so it is in \(spool.directory)\n")
      }
      return spool
    } catch {
      writeToStandardError("note: \(error.message); the events wait in memory\n")
      return nil
    }
  }

  /// Reads and decodes every line into `input`, listing all invalid lines before failing.
  static func readEvents(path: String, into input: AppendInput) throws -> AppendInput {
    let descriptor: Int32
    if path == "-" {
      descriptor = 0
      // On a terminal, say why the command waits and how to end the input.
      if isatty(0) != 0 {
        writeToStandardError(
          "reading events from standard input, one JSON object per line; end with Ctrl-D\n")
      }
    } else {
      noteFIFOWait(path)
      descriptor = open(path, O_RDONLY)
      guard descriptor >= 0 else {
        let reason = String(cString: strerror(errno))
        throw CommandFailure(
          message: "cannot open the events file (\(path)): \(reason); check the path, or pass - "
            + "to read events from standard input",
          exitCode: .failure)
      }
    }
    defer { if descriptor != 0 { close(descriptor) } }
    var status = stat()
    if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
      throw CommandFailure(
        message: "the events file is a directory (\(path)): give a file of NDJSON events",
        exitCode: .failure)
    }

    var reader = NDJSONReader(fileDescriptor: descriptor)
    // Valid events, counted on after the first invalid line, when `input` takes no more.
    var validCount = 0
    var errors: [EventInputError] = []
    var errorCount = 0
    // The start of the input while no line was a valid event, for the note that names the
    // command for CSV or a whole JSON document. Nil after a valid event, because such an
    // input is NDJSON with bad lines.
    var rejectedInput: RejectedInput? = RejectedInput()
    // Whether the first non-blank line opens a JSON array that continues on later lines,
    // as no event line does. A JSON array with one element per line has valid event lines
    // in it, so the note for it cannot wait for an input without any.
    var opensArray: Bool?
    let progress = Progress()
    defer { progress.finish() }
    var nextReport = 100_000
    // Whether the reader stopped at a line it could not read, such as one too long.
    var readerStopped = false
    while true {
      if validCount >= nextReport {
        progress.report("read \(validCount) events")
        nextReport += 100_000
      }
      let line: (lineNumber: Int, bytes: [UInt8])?
      do {
        line = try reader.next()
      } catch {
        errorCount += 1
        errors.append(error)
        readerStopped = true
        break
      }
      guard var line else { break }
      // Some Windows tools start UTF-8 files with a byte-order mark; it is not part of JSON.
      if validCount == 0, errorCount == 0, line.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
        line.bytes.removeFirst(3)
        // A line that held only the mark is blank, as the reader's other blank lines are.
        if line.bytes.allSatisfy({ [0x20, 0x09, 0x0D].contains($0) }) { continue }
      }
      if opensArray == nil,
        let first = line.bytes.first(where: { ![0x20, 0x09, 0x0D, 0x0A].contains($0) })
      {
        opensArray =
          first == UInt8(ascii: "[") && (try? JSONValue.parse(line.bytes)) == nil
      }
      let incoming: IncomingEvent
      do {
        incoming = try EventJSON.decode(line.bytes, lineNumber: line.lineNumber)
      } catch {
        errorCount += 1
        if errors.count < listedErrorLimit { errors.append(error) }
        rejectedInput?.append(line: line.bytes)
        continue
      }
      validCount += 1
      rejectedInput = nil
      // Once a line is invalid nothing is stored, so later events are only validated.
      if errorCount == 0 {
        try input.add(NumberedEvent(line: line.lineNumber, incoming: incoming))
      }
    }

    if errorCount > 0 {
      var listed = errors
      let form = rejectedInput.flatMap { documentForm(of: $0) }
      if let rejectedInput,
        let note = formatNote(path: path, input: rejectedInput, documentForm: form)
      {
        writeToStandardError("note: \(note)\n")
        // Every line of a JSON document fails alike, so after the note one error shows
        // the kind, and the others are only counted. A line the reader stopped at is not
        // part of the document, and its error is listed as before.
        if form != nil, !readerStopped {
          listed = Array(errors.prefix(1))
        }
      } else if rejectedInput == nil, opensArray == true {
        writeToStandardError(
          "note: \(arrayNote(path: path, form: "starts with [ as a JSON array does"))\n")
      } else if validCount == 0, reader.overLongLineFirstByte == UInt8(ascii: "[") {
        // A JSON array on one line can be longer than an event may be. The reader then
        // stops at that line before it is parsed.
        let form = "has a line that starts with [ as a JSON array does"
        writeToStandardError("note: \(arrayNote(path: path, form: form))\n")
      }
      for error in listed.dropLast() { printError(error.description) }
      let more = errorCount - listed.count
      let last = listed.last.map(\.description) ?? ""
      let suffix = more > 0 ? " (and \(more) more invalid \(more == 1 ? "line" : "lines"))" : ""
      throw CommandFailure(
        message: last + suffix + "; nothing was stored: fix the input and append it again",
        exitCode: .dataError)
    }
    guard validCount > 0 else {
      throw CommandFailure(
        message: "no events in the input (\(path == "-" ? "standard input" : path)): "
          + "give one JSON event per line",
        exitCode: .dataError)
    }
    return input
  }
}

extension AppendCommand {
  /// Returns the note that names the command for an input in another format, or nil.
  ///
  /// `input` is the start of an input in which no line is a valid event. A JSON array, or
  /// one JSON document over several lines, is the form of a Stripe or Segment export. A
  /// file named `.csv` whose first character does not open a JSON object is taken as CSV.
  ///
  /// `documentForm` is `documentForm(of: input)`, which the caller has already computed.
  ///
  /// NOTE: An input longer than `RejectedInput.byteLimit` is not parsed, so a JSON document
  /// that does not start with `[` gets no note.
  static func formatNote(path: String, input: RejectedInput, documentForm: String?)
    -> String?
  {
    // With no rejected line kept, as when the first line was too long to read, there is
    // nothing to judge the format by.
    guard input.lines > 0 else { return nil }
    let name = path == "-" ? "standard input" : path
    let first = input.prefix.first { ![0x20, 0x09, 0x0D, 0x0A].contains($0) }
    if let form = documentForm {
      return arrayNote(path: path, form: form)
    } else if first == UInt8(ascii: "[") {
      return arrayNote(path: path, form: "starts with [ as a JSON array does")
    }
    // `append` reads only NDJSON, and a CSV export goes through `import`.
    if path.lowercased().hasSuffix(".csv"), first != UInt8(ascii: "{") {
      return "\(name) looks like CSV, which `tierline import` reads (see "
        + "`tierline import --help`)"
    }
    return nil
  }
}

extension AppendCommand {
  /// Returns how `input`, in which no line is a valid event, is one whole JSON document,
  /// such as "is a JSON array", or nil when it is not one.
  static func documentForm(of input: RejectedInput) -> String? {
    guard input.lines > 0, input.isComplete,
      let document = try? JSONValue.parse(input.prefix)
    else { return nil }
    if case .array = document { return "is a JSON array" }
    return input.lines > 1 ? "is one JSON document over \(input.lines) lines" : nil
  }

  /// Returns the note for an input in the form `form` of a JSON document, such as "is a
  /// JSON array".
  static func arrayNote(path: String, form: String) -> String {
    let name = path == "-" ? "standard input" : path
    return "\(name) \(form), but `append` reads one event per line. Put each event on a "
      + "line of its own, or import a Stripe or Segment export with "
      + "`tierline import stripe` or `tierline import segment` (see `tierline import --help`)"
  }
}

/// The non-blank lines of an input in which no line is a valid event, kept up to
/// `byteLimit` bytes so that memory does not grow with the input.
struct RejectedInput {
  /// The maximum number of bytes kept, enough to parse a JSON export of a few MiB.
  static let byteLimit = 4 << 20

  /// The lines, each followed by a newline, up to `byteLimit` bytes.
  private(set) var prefix: [UInt8] = []
  /// The number of lines appended, including those not kept.
  private(set) var lines = 0
  /// Whether `prefix` contains every line appended.
  private(set) var isComplete = true

  /// Appends one non-blank line, or as much of it as fits within `byteLimit`.
  mutating func append(line: [UInt8]) {
    lines += 1
    guard isComplete else { return }
    let room = Self.byteLimit - prefix.count
    if line.count < room {
      prefix.append(contentsOf: line)
      prefix.append(UInt8(ascii: "\n"))
    } else {
      prefix.append(contentsOf: line.prefix(room))
      isComplete = false
    }
  }
}

/// Writes notes to standard error naming the metrics, check-in kinds and milestones of
/// an input that no stored rules use, because such events count toward nothing.
/// Names compare by string equality, as in the fold, so NFC and NFD spellings are one name.
func noteUnusedNames(_ names: InputNames, in ledger: Ledger) {
  let (metrics, checkinKinds, milestones) = (names.metrics, names.checkinKinds, names.milestones)
  guard !(metrics.names.isEmpty && checkinKinds.names.isEmpty && milestones.names.isEmpty)
  else { return }

  // Every stored version counts, since a replay applies the rules in force at its own
  // --as-of time, which need not be today's.
  let activations: [RulesActivation]
  do {
    activations = try ledger.activations()
  } catch {
    writeToStandardError("warning: the event names were not checked against the rules: \(error)\n")
    return
  }
  var limited: Set<String> = []
  var scheduled: Set<String> = []
  var named: Set<String> = []
  for activation in activations {
    let playbook = activation.playbook
    for tier in playbook.tiers { limited.formUnion(tier.limits.map(\.metric)) }
    scheduled.insert(playbook.checkin.kind)
    named.insert(playbook.firstValueMilestone)
    for transition in playbook.transitions { named.formUnion(transition.milestones) }
  }
  let rulesHint =
    "`tierline rules list` and `tierline rules show VERSION` show the rules"
  noteNames(
    metrics.names.filter { !limited.contains($0) }, "metric",
    {
      "no tier of any rules in the ledger limits the \($0). The usage is stored, but no usage "
        + "trigger counts it; \(rulesHint) and their limited metrics."
    })
  noteNames(
    checkinKinds.names.filter { !scheduled.contains($0) }, "check-in kind",
    {
      "no rules in the ledger schedule the \($0). The check-in is stored, but it completes "
        + "no scheduled check-in; \(rulesHint) and the kind each schedules."
    })
  noteNames(
    milestones.names.filter { !named.contains($0) }, "milestone",
    {
      "no rules in the ledger name the \($0). The milestone is stored, but no transition or "
        + "first-value time counts it; \(rulesHint) and the milestones each names."
    })
}

/// A string as a dictionary key that matches only the same UTF-8 bytes, where `String`
/// would also match another spelling of the same text, such as a decomposed "é".
struct UTF8Key: Hashable {
  let text: String

  init(_ text: String) { self.text = text }

  static func == (left: UTF8Key, right: UTF8Key) -> Bool {
    var left = left.text
    var right = right.text
    return left.withUTF8 { leftBytes in
      right.withUTF8 { rightBytes in
        leftBytes.count == rightBytes.count
          && (leftBytes.isEmpty
            || memcmp(leftBytes.baseAddress!, rightBytes.baseAddress!, leftBytes.count) == 0)
      }
    }
  }

  func hash(into hasher: inout Hasher) {
    var text = text
    text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
  }
}

/// Writes one note listing up to five of `names`. `sentence` receives the noun, singular
/// or plural, followed by the quoted names.
private func noteNames(_ names: [String], _ noun: String, _ sentence: (String) -> String) {
  guard !names.isEmpty else { return }
  let listed = names.prefix(5).map(quotedVisibly).joined(separator: ", ")
  let more = names.count > 5 ? " and \(names.count - 5) more" : ""
  let subject = "\(names.count == 1 ? noun : noun + "s") \(listed)\(more)"
  writeToStandardError("note: " + sentence(subject) + "\n")
}

/// The accounts that an input gives their first events without an `account.landed`
/// event for them. A mistyped account id looks like this.
struct UnlandedAccounts {
  /// Accounts with no landing in the input and no event in the ledger before it, in order
  /// of first appearance, with their number of events in the input.
  private var candidates: [(account: AccountID, events: UInt64)] = []

  /// Finds the candidates of `events`; see `init(_:in:appended:)` with the accounts.
  init(_ events: [NumberedEvent], in ledger: Ledger, appended: Bool = false) throws {
    var accounts = InputAccounts()
    for numbered in events { accounts.add(numbered.incoming.event) }
    try self.init(accounts, in: ledger, appended: appended)
  }

  /// Finds the candidates among the accounts of an input. With `appended` unset, the
  /// ledger is read before anything is appended, and a candidate has no stored event.
  /// With `appended` set, it is read after the input was stored, and a candidate has only
  /// the events of the input.
  init(_ accounts: InputAccounts, in ledger: Ledger, appended: Bool = false) throws {
    let counts = accounts.counts
    let order = accounts.order.filter { !accounts.landed.contains($0) }
    guard !order.isEmpty else { return }
    let stored = try ledger.eventCounts(of: order)
    candidates = zip(order, stored).filter { account, count in
      count == (appended ? counts[account] ?? 0 : 0)
    }.map { ($0.0, counts[$0.0] ?? 0) }
  }

  /// Warns on standard error about the candidates that now have events, all of them from
  /// this input. An account that another process gave events in the meantime, such as
  /// its landing, is left out.
  func warn(in ledger: Ledger) throws {
    guard !candidates.isEmpty else { return }
    let stored = try ledger.eventCounts(of: candidates.map(\.account))
    let found = zip(candidates, stored).filter { $0.1 > 0 && $0.1 <= $0.0.events }.map(\.0.account)
    guard !found.isEmpty else { return }
    // Quoted, with every invisible or control character escaped, so that "acme" followed
    // by a zero-width space does not read as "acme".
    let listed = found.prefix(5).map { quotedVisibly($0.value) }.joined(separator: ", ")
    let more = found.count > 5 ? " and \(found.count - 5) more" : ""
    let (subject, verb) = found.count == 1 ? ("It", "shows") : ("They", "show")
    writeToStandardError(
      "warning: \(counted(found.count, "new account")) got events but no account.landed "
        + "event: \(listed)\(more). \(subject) \(verb) as not_landed until one arrives, so "
        + "check the account \(found.count == 1 ? "id" : "ids").\n")
  }
}
