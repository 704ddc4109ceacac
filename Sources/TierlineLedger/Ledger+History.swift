import TierlineEvents
import TierlineStore

extension Ledger {
  /// Hands every account's visible events at `point` to `body`, in account-id byte order;
  /// accounts with no visible event are skipped.
  ///
  /// Each list is in occurred order, ties by log position, and leaves out events that
  /// occurred after `point.asOf` or were recorded after `point.knownAt`. All accounts are
  /// read in one read transaction, so the lists form one consistent snapshot.
  public func forEachHistory(
    at point: ReplayPoint, _ body: (AccountID, [RecordedEvent]) throws -> Void
  ) throws(LedgerError) {
    try storeCall {
      try store.read { transaction in
        var originators: [[UInt8]] = []
        try transaction.forEachOriginator { originator, _ in
          originators.append(Array(originator))
          return true
        }
        let knownAt = point.knownAt.microseconds
        for originator in originators {
          var events: [RecordedEvent] = []
          try transaction.scan(originator: originator, occurredThrough: point.asOf.microseconds) {
            view in
            guard view.recordedAt <= knownAt else { return true }
            events.append(
              RecordedEvent(
                event: try EventCodec.decode(view.content), position: view.position,
                recordedAt: Timestamp(microseconds: view.recordedAt)))
            return true
          }
          guard !events.isEmpty else { continue }
          try body(AccountID(normalized: String(decoding: originator, as: UTF8.self)), events)
        }
      }
    }
  }
}
