import TierlineEvents

/// Reads and decodes an NDJSON file of events, as `tierline append` does before it
/// stores anything: line splitting, JSON parsing and the checks of each field.
enum DecodeBenchmark {
  static func run(_ options: BenchOptions) throws {
    let path = try options.string("events")
    let repetitions = try options.integer("repeat", default: 3)
    var timings: [Double] = []
    var decoded = 0
    for _ in 0..<repetitions {
      timings.append(
        try measureSeconds {
          decoded = try IngestBenchmark.readEvents(path: path).count
        })
    }
    let median = timings.sorted()[timings.count / 2]
    report(
      "decode",
      [
        "events": decoded, "repetitions": repetitions, "median_seconds": median,
        "events_per_second": Double(decoded) / median,
      ])
  }
}
