/// An error from the event store: what failed, the values involved and the LMDB cause.
public struct StoreError: Error, CustomStringConvertible, Sendable {
  /// The kind of failure.
  public enum Code: Sendable, Equatable {
    /// The event id is already stored, or appears earlier in the batch, with other content.
    case idConflict
    /// The originator's version differs from the expected version.
    case versionConflict
    /// The directory is missing, is not a ledger, or has another format version.
    case notALedger
    /// The map cannot grow further: `maximumMapSize` is reached or the disk is full.
    case mapFull
    /// A checksum or structure check failed while reading.
    case corrupt
    /// An argument is invalid, such as an empty or over-long key.
    case invalidArgument
    /// Any other LMDB failure.
    case lmdb
    /// An auxiliary database no longer has the number of entries the caller read, so a
    /// check made against it is stale. The caller reads again and retries.
    case auxChanged
    /// Every reader slot of the environment is taken by open read transactions, so a
    /// retry after some of them end may succeed.
    case readersFull
    /// The environment has no databases yet: another process may be creating the ledger,
    /// so a retry may find it.
    case emptyEnvironment
  }

  /// The kind of failure.
  public var code: Code
  /// A plain sentence naming the value involved.
  public var message: String
  /// The index in the batch of the record that failed, for conflicts and invalid records.
  public var batchIndex: Int?
  /// The event id involved.
  public var eventID: [UInt8]?
  /// The originator involved.
  public var originator: [UInt8]?
  /// The version the record expected, for `.versionConflict`.
  public var expectedVersion: UInt64?
  /// The version found, for `.versionConflict`.
  public var actualVersion: UInt64?
  /// For `.versionConflict`, the batch index of an earlier record of the same batch and
  /// originator whose expected version was checked and held. The batch alone then fixes
  /// the version the failing record finds, so retrying the batch cannot succeed.
  public var settledByBatchIndex: Int?
  /// The underlying LMDB or system error.
  public var lmdbCode: LMDBError?

  /// Creates an error.
  public init(
    _ code: Code, _ message: String, batchIndex: Int? = nil, eventID: [UInt8]? = nil,
    originator: [UInt8]? = nil, expectedVersion: UInt64? = nil, actualVersion: UInt64? = nil,
    lmdbCode: LMDBError? = nil
  ) {
    self.code = code
    self.message = message
    self.batchIndex = batchIndex
    self.eventID = eventID
    self.originator = originator
    self.expectedVersion = expectedVersion
    self.actualVersion = actualVersion
    self.lmdbCode = lmdbCode
  }

  public var description: String {
    guard let lmdbCode else { return message }
    return "\(message): \(lmdbCode)"
  }

  /// Wraps an LMDB failure, choosing `.mapFull`, `.corrupt` or `.lmdb` from its code.
  static func failure(_ cause: LMDBError, _ message: String) -> StoreError {
    switch cause {
    case .mapFull, .noSpace:
      return StoreError(.mapFull, message, lmdbCode: cause)
    case .corrupted, .pageNotFound:
      return StoreError(.corrupt, message, lmdbCode: cause)
    case .readersFull:
      return StoreError(
        .readersFull,
        message + ": every reader slot of the ledger is taken by other processes reading "
          + "it; retry when some of them finish", lmdbCode: cause)
    default:
      return StoreError(.lmdb, message, lmdbCode: cause)
    }
  }

  /// Whether this is LMDB's `MDB_MAP_FULL`, which growing the map can cure.
  var isGrowableMapFull: Bool {
    code == .mapFull && lmdbCode == .mapFull
  }
}

/// Renders key bytes for a message: quoted UTF-8 text when printable, else hexadecimal.
func describeKey(_ bytes: some Collection<UInt8>) -> String {
  // No valid key is longer than `EventStore.maximumKeyLength`. A longer one comes from a
  // damaged page and could run to megabytes, so only its start is shown.
  let prefixLength = 64
  guard bytes.count <= EventStore.maximumKeyLength else {
    return describeKey(bytes.prefix(prefixLength)) + "… (\(bytes.count) bytes)"
  }
  if let text = String(validating: Array(bytes), as: UTF8.self),
    !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
  {
    return "\"\(text)\""
  }
  let digits = bytes.map { byte in
    let hex = String(byte, radix: 16)
    return byte < 16 ? "0" + hex : hex
  }
  return "0x" + digits.joined()
}
