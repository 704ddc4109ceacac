#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import CTierlineFiles
import TierlineEvents

/// Decoded events written to a temporary file without a name and read back in order, so
/// that an append in batches keeps one batch in memory instead of its whole input. The
/// file has no name, so it disappears when the process ends, however it ends.
///
/// Each event is kept in the ledger's own binary encoding (`EventCodec`), the form the
/// ledger stores and compares. A 21-byte header comes first, little-endian: the length of
/// what follows (u32), the input line (u64), and the expected version (u8 1, then u64),
/// or u8 0 and 8 zero bytes for none.
public final class EventSpool {
  private static let headerSize = 21
  private static let bufferSize = 1 << 20

  private let descriptor: Int32
  /// Bytes written but not yet passed to `write`.
  private var pending: [UInt8] = []
  /// The bytes in the file, not counting `pending`.
  private var flushed: UInt64 = 0
  /// The number of events appended.
  public private(set) var count = 0

  /// The directory of the file.
  public let directory: String
  /// The directories passed over before `directory`, each with the system's reason.
  public let skipped: [String]

  /// Creates the file in the first directory of `directories` that takes it.
  ///
  /// The file is opened with `O_TMPFILE`, so it never has a name. Where the file system
  /// lacks that flag, it is created under a random name and unlinked at once. A directory
  /// where the unlink fails, such as an append-only one, is passed over.
  /// - Throws: `LedgerError` of kind `.storage` when no directory does, naming each
  ///   directory with the system's reason.
  public init(in directories: [String]) throws(LedgerError) {
    var reasons: [String] = []
    for directory in directories {
      switch Self.createUnlinked(in: directory) {
      case .success(let opened):
        descriptor = opened
        self.directory = directory
        skipped = reasons
        pending.reserveCapacity(Self.bufferSize)
        return
      case .failure(let reason):
        reasons.append("\(directory): \(reason)")
      }
    }
    throw LedgerError(
      .storage,
      "cannot create a temporary file for the batches in "
        + reasons.joined(separator: "; "))
  }

  /// Opens a file without a name in `directory`, or returns the system's reason.
  private static func createUnlinked(in directory: String) -> Result<Int32, SpoolFailure> {
    let nameless = tierline_open_nameless(directory)
    if nameless >= 0 { return .success(nameless) }
    // Older kernels and some file systems lack O_TMPFILE; other errors are final.
    guard [EOPNOTSUPP, EISDIR, EINVAL].contains(errno) else {
      return .failure(SpoolFailure(errno: errno))
    }
    var template = Array((directory + "/.tierline-append-XXXXXX").utf8CString)
    let opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard opened >= 0 else { return .failure(SpoolFailure(errno: errno)) }
    let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    guard unlink(path) == 0 else {
      let failure = SpoolFailure(errno: errno)
      close(opened)
      // The file is empty, so only its name is left behind when this fails too.
      _ = unlink(path)
      return .failure(failure)
    }
    return .success(opened)
  }

  deinit { close(descriptor) }

  /// Appends an event and returns its offset in the spool.
  @discardableResult
  public func append(_ event: NumberedEvent) throws(LedgerError) -> UInt64 {
    let offset = flushed + UInt64(pending.count)
    let start = pending.count
    pending.append(contentsOf: repeatElement(0, count: Self.headerSize))
    EventCodec.encode(event.incoming.event, into: &pending)
    let length = UInt32(pending.count - start - 4)
    let expected = event.incoming.expectedVersion
    pending.withUnsafeMutableBytes { bytes in
      bytes.storeBytes(of: length.littleEndian, toByteOffset: start, as: UInt32.self)
      bytes.storeBytes(
        of: UInt64(event.line).littleEndian, toByteOffset: start + 4, as: UInt64.self)
      bytes[start + 12] = expected == nil ? 0 : 1
      bytes.storeBytes(of: (expected ?? 0).littleEndian, toByteOffset: start + 13, as: UInt64.self)
    }
    count += 1
    if pending.count >= Self.bufferSize { try flush() }
    return offset
  }

  /// Writes what is pending to the file.
  func flush() throws(LedgerError) {
    var written = 0
    while written < pending.count {
      let result = pending.withUnsafeBytes { bytes in
        pwrite(
          descriptor, bytes.baseAddress! + written, bytes.count - written,
          off_t(flushed) + off_t(written))
      }
      if result < 0 {
        if errno == EINTR { continue }
        throw failure("write to")
      }
      written += result
    }
    flushed += UInt64(pending.count)
    pending.removeAll(keepingCapacity: true)
  }

  /// Returns the event at `offset`, which `append` returned.
  public func event(at offset: UInt64) throws(LedgerError) -> NumberedEvent {
    try Self.decode(record: try record(at: offset))
  }

  /// Returns every event appended, reading the file without writing to it, for a caller
  /// that keeps the events in memory after a write failed.
  public func allEvents() throws(LedgerError) -> [NumberedEvent] {
    var events: [NumberedEvent] = []
    events.reserveCapacity(count)
    var offset: UInt64 = 0
    while offset < flushed + UInt64(pending.count) {
      let record = try record(at: offset)
      events.append(try Self.decode(record: record))
      offset += UInt64(record.count)
    }
    return events
  }

  /// Returns the record at `offset`, its length field included.
  private func record(at offset: UInt64) throws(LedgerError) -> ArraySlice<UInt8> {
    // A record still in the write buffer is read there: flushing for it would cost one
    // write per event when each id repeats on the next line.
    if offset >= flushed {
      let start = Int(offset - flushed)
      let length = pending.withUnsafeBytes {
        Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
      }
      return pending[start..<(start + 4 + length)]
    }
    var lengthField = [UInt8](repeating: 0, count: 4)
    try read(into: &lengthField, at: offset)
    let length = Int(
      lengthField.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
    var record = [UInt8](repeating: 0, count: length + 4)
    try read(into: &record, at: offset)
    return record[...]
  }

  /// The disk space the file takes, in bytes.
  public var allocatedBytes: Int {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return 0 }
    return Int(status.st_blocks) * 512
  }

  /// Frees the disk space of the bytes before `offset`, which are read and no longer
  /// needed, so that the file shrinks while the ledger grows on the same disk. It does
  /// nothing where the file system cannot punch holes.
  func release(before offset: UInt64) {
    _ = tierline_punch_hole(descriptor, off_t(offset))
  }

  /// Returns the events in the order appended, `size` at a time. The events can be read
  /// this way once, because reading frees their space.
  public func batches(size: Int) throws(LedgerError) -> Batches {
    try flush()
    return Batches(spool: self, size: size)
  }

  /// Reads the spool in order, one batch at a time, through a buffer of its own.
  public struct Batches {
    let spool: EventSpool
    let size: Int
    private var buffer: [UInt8] = []
    /// The offset of `buffer`'s first byte in the file, and the next record's index in it.
    private var bufferOffset: UInt64 = 0
    private var next = 0

    init(spool: EventSpool, size: Int) {
      self.spool = spool
      self.size = size
    }

    /// Returns the next batch, or nil after the last. The space of the batches before it
    /// is freed.
    public mutating func nextBatch() throws(LedgerError) -> [NumberedEvent]? {
      spool.release(before: bufferOffset + UInt64(next))
      var batch: [NumberedEvent] = []
      batch.reserveCapacity(min(size, 1 << 16))
      while batch.count < size, let record = try nextRecord() {
        batch.append(try EventSpool.decode(record: record))
      }
      return batch.isEmpty ? nil : batch
    }

    private mutating func nextRecord() throws(LedgerError) -> ArraySlice<UInt8>? {
      guard try available(4) else { return nil }
      let length = buffer.withUnsafeBytes {
        Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: next, as: UInt32.self)))
      }
      guard try available(4 + length) else {
        throw EventSpool.endedEarly
      }
      let record = buffer[next..<(next + 4 + length)]
      next += 4 + length
      return record
    }

    /// Makes `count` bytes from `next` on available in the buffer; returns false at the
    /// end of the file.
    private mutating func available(_ count: Int) throws(LedgerError) -> Bool {
      if next + count <= buffer.count { return true }
      let fileOffset = bufferOffset + UInt64(next)
      guard fileOffset < spool.flushed else { return false }
      let wanted = Int(min(UInt64(max(count, EventSpool.bufferSize)), spool.flushed - fileOffset))
      buffer = [UInt8](repeating: 0, count: wanted)
      try spool.read(into: &buffer, at: fileOffset)
      bufferOffset = fileOffset
      next = 0
      return count <= buffer.count
    }
  }

  /// Reads exactly `bytes.count` bytes at `offset`.
  private func read(into bytes: inout [UInt8], at offset: UInt64) throws(LedgerError) {
    var done = 0
    while done < bytes.count {
      let result = bytes.withUnsafeMutableBytes { buffer in
        pread(
          descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
      }
      if result < 0, errno == EINTR { continue }
      guard result >= 0 else { throw failure("read") }
      guard result > 0 else {
        throw EventSpool.endedEarly
      }
      done += result
    }
  }

  /// Decodes one record: its length, its header and the event.
  private static func decode(record: ArraySlice<UInt8>) throws(LedgerError) -> NumberedEvent {
    // Zeros from a freed range, or other damage, give a length too short for the header.
    guard record.count >= headerSize else {
      throw LedgerError(
        .storage, "the temporary file of the batches contains a record too short to read")
    }
    let start = record.startIndex
    let line = littleEndian(record, at: start + 4)
    let expected = littleEndian(record, at: start + 13)
    let event: Event
    do {
      event = try EventCodec.decode(Array(record[(start + headerSize)...]))
    } catch {
      throw LedgerError(
        .storage, "an event in the temporary file of the batches could not be decoded: \(error)")
    }
    return NumberedEvent(
      line: Int(line),
      incoming: IncomingEvent(
        event: event, expectedVersion: record[start + 12] == 0 ? nil : expected))
  }

  /// Returns the little-endian u64 at `offset` of `bytes`.
  private static func littleEndian(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in (offset..<(offset + 8)).reversed() { value = value << 8 | UInt64(bytes[index]) }
    return value
  }

  private func failure(_ verb: String) -> LedgerError {
    let code = errno
    var message =
      "could not \(verb) the temporary file of the batches in \(directory): "
      + String(cString: strerror(code))
    if [ENOSPC, EDQUOT].contains(code) {
      message += "; set TMPDIR to a directory with room for it"
    }
    return LedgerError(.storage, message, underlying: SpoolFailure(errno: code))
  }

  private static let endedEarly = LedgerError(
    .storage, "the temporary file of the batches ended early; nothing more was stored")
}

/// Finds an event id that an input gives to two events with different content, one event
/// at a time, without keeping the events. When a later event's id has the hash of an
/// earlier one, the earlier event is read back from the spool.
public struct RepeatedIDCheck {
  /// The spool offset of the first event with each id hash.
  private var firstByHash: [Int: UInt64] = [:]
  /// The first events of ids whose hash an earlier, different id has, by the id's UTF-8
  /// bytes.
  private var firstByID: [[UInt8]: UInt64] = [:]
  private let hash: (String) -> Int
  /// The first conflict found.
  public private(set) var conflict: LedgerError?

  /// Creates an empty check. `hash` returns the hash of an id's UTF-8 bytes; tests pass
  /// one that collides.
  public init(hash: @escaping (String) -> Int = RepeatedIDCheck.hashOfBytes) {
    self.hash = hash
  }

  /// Returns a hash of the UTF-8 bytes of `id`, so that two spellings of "café" differ.
  public static func hashOfBytes(_ id: String) -> Int {
    var hasher = Hasher()
    var bytes = id
    bytes.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    return hasher.finalize()
  }

  /// Checks `event`, stored in `spool` at `offset`, against the events before it. Ids
  /// and contents compare as bytes, as the ledger compares them.
  public mutating func add(_ event: NumberedEvent, at offset: UInt64, in spool: EventSpool)
    throws(LedgerError)
  {
    try add(event, at: offset) { (earlier) throws(LedgerError) in try spool.event(at: earlier) }
  }

  /// Checks `event`, kept at `location`, against the events before it. `earlier` returns
  /// the event kept at a location given before, such as an index into an array.
  public mutating func add(
    _ event: NumberedEvent, at location: UInt64,
    earlier: (UInt64) throws(LedgerError) -> NumberedEvent
  ) throws(LedgerError) {
    let offset = location
    guard conflict == nil else { return }
    let id = event.incoming.event.id
    let idHash = hash(id)
    guard let firstOffset = firstByHash[idHash] else {
      firstByHash[idHash] = offset
      return
    }
    var first = try earlier(firstOffset)
    if !first.incoming.event.id.utf8.elementsEqual(id.utf8) {
      // Another id took this hash first, so this id's first event is looked up by the id.
      guard let earlierWithID = firstByID[Array(id.utf8)] else {
        firstByID[Array(id.utf8)] = offset
        return
      }
      first = try earlier(earlierWithID)
    }
    guard EventCodec.encode(first.incoming.event) != EventCodec.encode(event.incoming.event)
    else { return }
    conflict = LedgerError(
      .invalidInput,
      "line \(event.line): id: event id \"\(id)\" is already used on line \(first.line) by an "
        + "event with other content; a correction needs a new event with a new id; nothing "
        + "was stored",
      line: event.line, field: "id")
  }
}

/// The system's reason why the temporary file could not be created, written or read.
public struct SpoolFailure: Error, Sendable, CustomStringConvertible {
  /// The `errno` value.
  public let code: Int32
  public let description: String

  init(errno code: Int32) {
    self.code = code
    description = String(cString: strerror(code))
  }

  /// Whether the file lacked room: a full disk, a quota, or the file size limit.
  public var isLackOfRoom: Bool { [ENOSPC, EDQUOT, EFBIG].contains(code) }
}
