import TierlineEvents
import TierlineStore

/// Scans the whole log in position order through the store, with and without decoding
/// each event, and reports the mean stored record size.
///
/// The two rates separate the store's per-record cost (LMDB cursor, header and CRC-32C
/// checks) from the codec's, below the fold measured by the rebuild benchmark.
enum LogScanBenchmark {
  static func run(_ options: BenchOptions) throws {
    let directory = try options.string("store")
    let repetitions = try options.integer("repeat", default: 3)
    let store = try EventStore(directory: directory)

    var records = 0
    var valueBytes = 0
    var scanTimings: [Double] = []
    var decodeTimings: [Double] = []
    for _ in 0..<repetitions {
      records = 0
      valueBytes = 0
      scanTimings.append(
        try measureSeconds {
          try store.read { transaction in
            try transaction.scan(from: 1) { record in
              records += 1
              valueBytes += RecordLayoutSize.header + record.content.count
              return true
            }
          }
        })
      var decoded = 0
      decodeTimings.append(
        try measureSeconds {
          try store.read { transaction in
            try transaction.scan(from: 1) { record in
              _ = try EventCodec.decode(record.content)
              decoded += 1
              return true
            }
          }
        })
      guard decoded == records else {
        throw BenchFailure("decoded \(decoded) of \(records) records")
      }
    }

    let scan = quantile(scanTimings.sorted(), 0.5)
    let decode = quantile(decodeTimings.sorted(), 0.5)
    report(
      "log_scan",
      [
        "records": records, "mean_record_bytes": Double(valueBytes) / Double(max(records, 1)),
        "scan_median_seconds": scan, "scan_records_per_second": Double(records) / scan,
        "decode_median_seconds": decode,
        "decode_records_per_second": Double(records) / decode,
      ])
  }
}

/// Sizes of the stored record layout described in `schemas/record-format.md`.
enum RecordLayoutSize {
  /// Version, flags, reserved bytes, CRC-32C, recorded_at and occurred_at.
  static let header = 24
}
