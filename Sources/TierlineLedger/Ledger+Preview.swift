import TierlineEvents
import TierlineStore

/// What appending one event would do, as judged against the stored log.
public enum AppendPreview: Sendable {
  /// The event id is not stored yet: the event would be appended.
  case new
  /// The same id is stored with identical content: the event would be skipped.
  case duplicate
  /// The event would be rejected: an unknown tier, or its id is stored with other content.
  case rejected(LedgerError)
}

extension Ledger {
  /// Checks each event of a batch as `append` would, without storing anything.
  ///
  /// The result has one entry per event, in batch order. Optimistic-concurrency checks
  /// (`expected_version`) are not previewed, because they depend on the moment of the
  /// append.
  /// - Throws: `LedgerError` when the ledger cannot be read.
  public func preview(_ batch: [NumberedEvent]) throws(LedgerError) -> [AppendPreview] {
    let activations = try self.activations()
    var results: [AppendPreview] = []
    results.reserveCapacity(batch.count)
    for item in batch {
      do {
        try checkTiers(item, activations: activations)
        results.append(.new)
      } catch {
        results.append(.rejected(error))
      }
    }

    try storeCall {
      try store.read { transaction in
        for (index, item) in batch.enumerated() {
          guard case .new = results[index] else { continue }
          let event = item.incoming.event
          guard let position = try transaction.position(ofEventID: Array(event.id.utf8)),
            let stored = try transaction.record(at: position)
          else { continue }
          let content = EventCodec.encode(event)
          if content.elementsEqual(stored.content) {
            results[index] = .duplicate
          } else {
            results[index] = .rejected(
              LedgerError(
                .invalidInput,
                "line \(item.line): id: event id \"\(event.id)\" is already used by an event "
                  + "with other content; a correction needs a new event with a new id",
                line: item.line, field: "id"))
          }
        }
      }
    }
    return results
  }
}
