import TierlineEvents

@testable import TierlineLedger

/// Returns the events of a generated portfolio, numbered as the lines of an input file.
func generatedEvents(accounts: Int, seed: UInt64) -> [NumberedEvent] {
  var events: [NumberedEvent] = []
  PortfolioGenerator(accounts: accounts, seed: seed).generate { event in
    events.append(NumberedEvent(line: events.count + 1, incoming: IncomingEvent(event: event)))
  }
  return events
}

/// Appends `events` to `ledger` in batches of `batchSize`, recorded one second apart from
/// a fixed instant, and returns the recorded time of each batch.
func appendInBatches(_ events: [NumberedEvent], to ledger: Ledger, batchSize: Int) throws
  -> [Timestamp]
{
  var stamps: [Timestamp] = []
  for (index, start) in stride(from: 0, to: events.count, by: batchSize).enumerated() {
    let batch = Array(events[start..<min(start + batchSize, events.count)])
    let now = Timestamp(microseconds: 1_900_000_000_000_000 + Int64(index) * 1_000_000)
    stamps.append(try ledger.append(batch, now: now).recordedAt)
  }
  return stamps
}
