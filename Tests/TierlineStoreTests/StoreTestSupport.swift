import Foundation
import Testing

@testable import TierlineStore

/// Creates a fresh directory, runs `body` with its path, then removes the directory.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("tierline-store-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url.path)
}

/// Creates a store in a fresh temporary directory and runs `body` with it.
func withNewStore<T>(
  options: StoreOptions = StoreOptions(createIfMissing: true),
  _ body: (EventStore, String) throws -> T
) throws -> T {
  try withTemporaryDirectory { directory in
    let store = try EventStore(directory: directory, options: options)
    return try body(store, directory)
  }
}

/// Builds a record from text fields.
func newRecord(
  _ id: String, originator: String = "acct-1", at occurredAt: Int64 = 1_000,
  content: String? = nil, expectedVersion: UInt64? = nil
) -> NewRecord {
  NewRecord(
    eventID: Array(id.utf8), originator: Array(originator.utf8), occurredAt: occurredAt,
    content: Array((content ?? "content of \(id)").utf8), expectedVersion: expectedVersion)
}

/// A copy of a record read from the store.
struct CopiedRecord: Equatable {
  var position: UInt64
  var recordedAt: Int64
  var occurredAt: Int64
  var content: String

  init(_ view: RecordView) {
    position = view.position
    recordedAt = view.recordedAt
    occurredAt = view.occurredAt
    content = String(decoding: view.content, as: UTF8.self)
  }
}

extension EventStore {
  /// Returns copies of every record in log order.
  func allRecords() throws -> [CopiedRecord] {
    try read { transaction in
      var records: [CopiedRecord] = []
      try transaction.scan(from: 1) { view in
        records.append(CopiedRecord(view))
        return true
      }
      return records
    }
  }

  /// Returns copies of one originator's records through `occurredThrough`.
  func records(of originator: String, through occurredThrough: Int64 = .max) throws
    -> [CopiedRecord]
  {
    try read { transaction in
      var records: [CopiedRecord] = []
      try transaction.scan(originator: Array(originator.utf8), occurredThrough: occurredThrough) {
        view in
        records.append(CopiedRecord(view))
        return true
      }
      return records
    }
  }

  /// Returns the last position.
  func lastPosition() throws -> UInt64 {
    try read { transaction in transaction.lastPosition }
  }
}
