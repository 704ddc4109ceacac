#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Wall-clock seconds elapsed while `body` runs, on the monotonic clock.
func measureSeconds(_ body: () throws -> Void) rethrows -> Double {
  let clock = ContinuousClock()
  let start = clock.now
  try body()
  return seconds(clock.now - start)
}

/// A duration in seconds.
func seconds(_ duration: Duration) -> Double {
  let parts = duration.components
  return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
}

/// The peak resident set size of this process so far, in bytes (`getrusage`).
func peakResidentBytes() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return usage.ru_maxrss * 1024
}

/// The value at quantile `q` (0...1) of `sorted`, by the nearest-rank method.
func quantile(_ sorted: [Double], _ q: Double) -> Double {
  guard !sorted.isEmpty else { return .nan }
  let rank = Int((q * Double(sorted.count)).rounded(.up))
  return sorted[min(max(rank, 1), sorted.count) - 1]
}

/// Prints one measurement as a JSON object on one line of standard output.
///
/// Values are numbers, except those given as strings, which are written quoted.
func report(_ benchmark: String, _ fields: KeyValuePairs<String, Any>) {
  var parts = ["\"benchmark\":\"\(benchmark)\""]
  for (key, value) in fields {
    switch value {
    case let text as String: parts.append("\"\(key)\":\"\(text)\"")
    case let number as Double: parts.append("\"\(key)\":\(formatNumber(number))")
    default: parts.append("\"\(key)\":\(value)")
    }
  }
  print("{" + parts.joined(separator: ",") + "}")
}

private func formatNumber(_ value: Double) -> String {
  guard value.isFinite else { return "null" }
  let scaled = (value * 1e9).rounded() / 1e9
  return "\(scaled)"
}
