#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TierlineLedger

/// Exit codes of the `tierline` command, from sysexits.h.
enum ExitCode: Int32 {
  case success = 0
  case failure = 1
  /// EX_USAGE: the command line is wrong.
  case usage = 64
  /// EX_DATAERR: the input data is invalid.
  case dataError = 65
  /// EX_TEMPFAIL: a conflict that a retry may resolve.
  case conflict = 75
}

/// A failure that ends a command with a message and an exit code.
struct CommandFailure: Error {
  var message: String
  var exitCode: ExitCode
}

/// Buffered writing to standard output; flushed when full and at exit.
///
/// Text goes out with every control character but the newline escaped, so text from a
/// playbook or an event cannot send terminal control sequences. Bytes go out as given.
final class StandardOutput {
  private var buffer: [UInt8] = []

  init() {
    buffer.reserveCapacity(1 << 16)
  }

  /// Appends text without a newline.
  func write(_ text: String) {
    buffer.append(contentsOf: terminalSafe(text).utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  /// Appends raw bytes.
  func write(bytes: [UInt8]) {
    buffer.append(contentsOf: bytes)
    if buffer.count >= 1 << 16 { flush() }
  }

  /// Appends a line of JSON as it is. JSON escapes what a terminal would act on below
  /// U+0020, and its parsers reject the Swift-style escapes `line` writes for the rest.
  func jsonLine(_ text: String) {
    write(bytes: Array(text.utf8))
    buffer.append(UInt8(ascii: "\n"))
    if buffer.count >= 1 << 16 { flush() }
  }

  /// Appends a line.
  func line(_ text: String = "") {
    write(text)
    buffer.append(UInt8(ascii: "\n"))
    if buffer.count >= 1 << 16 { flush() }
  }

  /// Writes everything buffered so far.
  func flush() {
    guard !buffer.isEmpty else { return }
    buffer.withUnsafeBytes { bytes in
      guard let base = bytes.baseAddress else { return }
      var offset = 0
      while offset < bytes.count {
        let written = Glibc.write(1, base + offset, bytes.count - offset)
        if written < 0 {
          let code = errno
          if code == EINTR { continue }
          // The reader went away (for example `| head`): stop quietly, as other tools do.
          // `_exit` ends the process at once: `exit` would run the exit handlers while
          // folding threads may still be running. Commands print after they store, so
          // nothing is left to store.
          if code == EPIPE { _exit(ExitCode.success.rawValue) }
          // Any other failure, such as a full disk, leaves the output cut short.
          printError(
            "could not write standard output: \(String(cString: strerror(code))); the output "
              + "is incomplete, but anything the command stored in the ledger stays stored")
          exit(ExitCode.failure.rawValue)
        }
        offset += written
      }
    }
    buffer.removeAll(keepingCapacity: true)
  }
}

/// Returns `text` with escapes (see `printable`) for every control character but the
/// newline, every bidirectional override, and U+2028 and U+2029. Text from a playbook, an
/// event or an argument then cannot send terminal control sequences, reorder a line or
/// break one.
func terminalSafe(_ text: String) -> String {
  // Most text has none of them, which a scan of its bytes shows cheaply: a byte under
  // 0x20 but the newline, 0x7F, 0xC2 before 0x80 to 0x9F, or E2 80 AA to AE and
  // E2 81 A6 to A9.
  var text = text
  let suspect = text.withUTF8 { bytes in
    bytes.indices.contains { index in
      let byte = bytes[index]
      if byte == 0x0A { return false }
      if byte < 0x20 || byte == 0x7F { return true }
      guard index + 1 < bytes.count else { return false }
      if byte == 0xC2 { return (0x80...0x9F).contains(bytes[index + 1]) }
      return byte == 0xE2 && (bytes[index + 1] == 0x80 || bytes[index + 1] == 0x81)
    }
  }
  guard suspect else { return text }
  return escapingScalars(text) { scalar in
    scalar != "\n"
      && (scalar.properties.generalCategory == .control || isBidiOverride(scalar)
        || isUnicodeLineBreak(scalar))
  }
}

/// Returns `text` as one line: every control character, the newline included, every
/// bidirectional override, and U+2028 and U+2029 escaped.
func oneLine(_ text: String) -> String {
  escapingScalars(text) { scalar in
    scalar.properties.generalCategory == .control || isBidiOverride(scalar)
      || isUnicodeLineBreak(scalar)
  }
}

/// Returns `text` with each scalar that `escapes` selects written as an escape, such as
/// `\n` or `\u{1B}`.
func escapingScalars(_ text: String, where escapes: (Unicode.Scalar) -> Bool) -> String {
  guard text.unicodeScalars.contains(where: escapes) else { return text }
  var result = ""
  for scalar in text.unicodeScalars {
    if escapes(scalar) {
      result += scalar.escaped(asASCII: true)
    } else {
      result.unicodeScalars.append(scalar)
    }
  }
  return result
}

/// Returns `text` in double quotes, with quotes, backslashes and every scalar that does
/// not show as a visible character escaped. Those are controls, format characters such as
/// zero-width spaces and bidirectional marks, separators other than the space, and
/// private-use, surrogate and unassigned code points.
func quotedVisibly(_ text: String) -> String {
  "\"" + escapingScalars(text) { isInvisible($0) || $0 == "\"" || $0 == "\\" } + "\""
}

/// Returns `text` with every scalar escaped that does not show as a visible character, as
/// `quotedVisibly` escapes them, for names in messages that are not quoted.
func visibleText(_ text: String) -> String {
  escapingScalars(text, where: isInvisible)
}

/// Returns whether `scalar` shows as no visible character: a control, a format character
/// such as a zero-width space, a separator other than the space, or a private-use,
/// surrogate or unassigned code point.
private func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
  switch scalar.properties.generalCategory {
  case .control, .format, .lineSeparator, .paragraphSeparator, .unassigned, .privateUse,
    .surrogate:
    return true
  case .spaceSeparator:
    return scalar != " "
  default:
    return false
  }
}

/// Returns an account id for a text table: as it is, unless it starts or ends with a
/// space or contains a scalar that `quotedVisibly` escapes, in which case quoted and
/// escaped. Ids that differ only in spaces, such as `" b"` and `" b "`, then read apart.
func tableAccount(_ id: String) -> String {
  let quoted = quotedVisibly(id)
  let plain = "\"" + id + "\""
  guard id.first == " " || id.last == " " || id.isEmpty || quoted != plain else { return id }
  return quoted
}

/// Tells whether `scalar` is one of the bidirectional embedding, override or isolate
/// controls, which reorder the text after them.
func isBidiOverride(_ scalar: Unicode.Scalar) -> Bool {
  (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
}

/// Returns whether `scalar` is U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR, which
/// some terminals and viewers show as a line break.
func isUnicodeLineBreak(_ scalar: Unicode.Scalar) -> Bool {
  scalar.value == 0x2028 || scalar.value == 0x2029
}

/// Writes `error: MESSAGE` to standard error, in red when standard error is a terminal.
func printError(_ message: String) {
  let prefix = isatty(2) != 0 ? "\u{1B}[31merror:\u{1B}[0m " : "error: "
  // A message is one line, so a newline in it, as from an argument, is escaped too.
  writeToStandardError(prefix + oneLine(message) + "\n")
}

/// Writes a line of progress or a note to standard error.
func writeToStandardError(_ text: String) {
  var bytes = Array(text.utf8)
  _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

extension LedgerError {
  /// The exit code for this failure.
  var exitCode: ExitCode {
    switch kind {
    case .invalidInput: return .dataError
    case .conflict: return .conflict
    case .notFound: return .failure
    case .alreadyExists: return .failure
    case .storage: return .failure
    }
  }
}

/// Returns `count` and the noun, with an `s` unless the count is one: "1 event", "2 events".
func counted(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}

/// Returns `text` as one word for a POSIX shell: as it is when it contains only ASCII
/// letters, digits and `_@%+=:,./-`, else in single quotes, with each single quote
/// written as `'\''`.
func shellQuoted(_ text: String) -> String {
  let plain =
    !text.isEmpty
    && text.unicodeScalars.allSatisfy { scalar in
      scalar.isASCII
        && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
          || "_@%+=:,./-".unicodeScalars.contains(scalar))
    }
  guard !plain else { return text }
  let parts = text.split(separator: "'", omittingEmptySubsequences: false)
  return "'" + parts.joined(separator: #"'\''"#) + "'"
}
