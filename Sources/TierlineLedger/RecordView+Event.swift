import TierlineEvents
import TierlineStore

extension RecordView {
  /// Decodes the stored event, upcasting older schema versions to the current model.
  /// - Throws: `LedgerError` of kind `.storage` naming the log position and, when it
  ///   can be read, the event id; a record is never skipped.
  func decodeEvent() throws(LedgerError) -> Event {
    do {
      return try EventCodec.decode(content)
    } catch {
      throw LedgerError(
        .storage, "the event at log position \(position) could not be decoded: \(error)",
        underlying: error)
    }
  }
}
