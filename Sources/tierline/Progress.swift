#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A one-line progress message on standard error, shown only when standard error is a
/// terminal, so piped and logged runs stay quiet.
final class Progress {
  private let enabled = isatty(2) != 0
  private var isVisible = false

  /// Replaces the progress line with `text`.
  func report(_ text: String) {
    guard enabled else { return }
    writeToStandardError("\r\u{1B}[K" + text)
    isVisible = true
  }

  /// Clears the progress line.
  func finish() {
    guard enabled, isVisible else { return }
    writeToStandardError("\r\u{1B}[K")
    isVisible = false
  }
}
