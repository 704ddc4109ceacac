#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `body` and returns the wall-clock seconds it took, on the monotonic clock.
func measureSeconds(_ body: () throws -> Void) rethrows -> Double {
  let clock = ContinuousClock()
  let start = clock.now
  try body()
  return seconds(clock.now - start)
}

/// Converts a duration to seconds.
func seconds(_ duration: Duration) -> Double {
  let parts = duration.components
  return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
}

/// Returns the peak resident set size of this process so far, in bytes (`getrusage`).
func peakResidentBytes() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return usage.ru_maxrss * 1024
}

/// Returns the current anonymous and file-backed resident sizes of this process, in bytes,
/// from `RssAnon` and `RssFile` in `/proc/self/status`, or zeros when it is missing.
///
/// LMDB's map is file-backed, so pages of the ledger a fold touched count in `RssFile`
/// and in the peak RSS, although the kernel can drop them under memory pressure.
func residentBreakdown() -> (anonymous: Int, file: Int) {
  let fields = procFields("/proc/self/status")
  return ((fields["RssAnon"] ?? 0) * 1024, (fields["RssFile"] ?? 0) * 1024)
}

/// Returns the bytes this process has passed to write calls so far, `wchar` in
/// `/proc/self/io`, or nil when that file cannot be read. LMDB writes a commit's pages
/// with `pwrite` and `writev`, so the difference over a run of appends is what they wrote.
func writtenBytes() -> Int? {
  procFields("/proc/self/io")["wchar"]
}

/// Reads the `name: number` lines of a file under `/proc`, such as `VmRSS:  1024 kB`,
/// into a dictionary of the numbers by name. The dictionary is empty when the file
/// cannot be read.
private func procFields(_ path: String) -> [String: Int] {
  guard let file = fopen(path, "r") else { return [:] }
  defer { fclose(file) }
  var fields: [String: Int] = [:]
  var buffer = [CChar](repeating: 0, count: 256)
  while fgets(&buffer, Int32(buffer.count), file) != nil {
    let line = String(
      decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
      as: UTF8.self)
    let parts = line.split(separator: ":", maxSplits: 1)
    guard parts.count == 2,
      let number = parts[1].split(whereSeparator: { $0.isWhitespace }).first.flatMap({ Int($0) })
    else { continue }
    fields[String(parts[0])] = number
  }
  return fields
}

/// Returns the value at quantile `q` (0...1) of `sorted`, by the nearest-rank method.
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
