import TierlineEvents
import TierlineLedger
import TierlinePlaybook

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appends an NDJSON file to a new ledger through `Ledger.append` in fixed-size batches.
///
/// Reading and validating the JSON happens before the clock starts, so the figure is
/// the append path alone: tier checks, encoding, checksums and LMDB commits. After the
/// last batch it merges the smallest index runs as `tierline append` does, inside the
/// timed part, and reports that merge's share separately. The report also gives the
/// bytes the appends passed to write calls per event, for comparison with a raw LMDB
/// append that writes as many bytes.
enum IngestBenchmark {
  static func run(_ options: BenchOptions) throws {
    let path = try options.string("events")
    let directory = try options.string("store")
    let batchSize = try options.integer("batch-size", default: 1_000)

    let events = try readEvents(path: path)
    guard !events.isEmpty else {
      throw BenchFailure(
        "no events in the events file (\(path)); write some with `tierline generate`")
    }
    let ledger = try Ledger.create(directory: directory, playbook: .builtInDefault)
    var appended = 0
    var mergeSeconds = 0.0
    var mergedRuns = 0
    let writtenBefore = writtenBytes()
    let elapsed = try measureSeconds {
      var start = 0
      while start < events.count {
        let end = min(start + batchSize, events.count)
        appended += try ledger.append(Array(events[start..<end])).appended
        start = end
      }
      mergeSeconds = try measureSeconds {
        mergedRuns = try ledger.mergeSmallestIndexRuns(within: UInt64(appended)).mergedRuns
      }
    }
    var writtenPerEvent = -1.0
    if let before = writtenBefore, let after = writtenBytes(), appended > 0 {
      writtenPerEvent = Double(after - before) / Double(appended)
    }
    report(
      "ingest",
      [
        "events": appended, "batch_size": batchSize, "seconds": elapsed,
        "events_per_second": Double(appended) / elapsed,
        "written_bytes_per_event": writtenPerEvent, "merge_seconds": mergeSeconds,
        "merged_runs": mergedRuns,
      ])
  }

  /// Reads and decodes every line of an NDJSON file.
  static func readEvents(path: String) throws -> [NumberedEvent] {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw BenchFailure("cannot open the events file (\(path))") }
    defer { close(descriptor) }

    var reader = NDJSONReader(fileDescriptor: descriptor)
    var events: [NumberedEvent] = []
    while let line = try reader.next() {
      let incoming = try EventJSON.decode(line.bytes, lineNumber: line.lineNumber)
      events.append(NumberedEvent(line: line.lineNumber, incoming: incoming))
    }
    return events
  }
}
