/// Settings for opening an `EventStore`.
public struct StoreOptions: Sendable {
  /// The map size in bytes for a new ledger; an existing ledger keeps its larger size.
  public var initialMapSize: Int
  /// The map size in bytes beyond which the map never grows; appends past it fail
  /// with `.mapFull`.
  public var maximumMapSize: Int
  /// Whether opening a missing or empty directory creates a ledger in it.
  public var createIfMissing: Bool
  /// The storage format version of a ledger this open creates. Tests set 1 to check
  /// that ledgers of that version still work.
  var newFormatVersion = MetaKey.currentFormatVersion
  /// The largest number this open gives an originator, from storage format 3 on; later
  /// originators get none. Tests lower it to check records without a number.
  var largestOriginatorNumber = RecordLayout.largestOriginatorNumber

  /// Creates options; the defaults are a 64 MiB initial map, a 1 TiB maximum and no
  /// creation.
  public init(
    initialMapSize: Int = 64 << 20, maximumMapSize: Int = 1 << 40, createIfMissing: Bool = false
  ) {
    self.initialMapSize = initialMapSize
    self.maximumMapSize = maximumMapSize
    self.createIfMissing = createIfMissing
  }
}
