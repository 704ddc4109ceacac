#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads newline-delimited JSON from a file descriptor, one line at a time, in chunks.
///
/// Lines end with LF or CRLF; the last line may lack a terminator. Blank lines (only
/// spaces, tabs or a CR) are skipped but still counted, so line numbers match the file.
/// A line longer than `maximumLineBytes` is reported as an error as soon as that many
/// bytes have arrived. The rest of that line is discarded as it is read, so it is never
/// held whole, and the next call to `next()` continues with the following line.
///
/// The reader does not own the descriptor and never closes it.
public struct NDJSONReader {
  /// The descriptor read from.
  public let fileDescriptor: Int32
  /// The maximum line length, in bytes without the terminator.
  public let maximumLineBytes: Int

  private let chunkSize: Int
  private var buffer: [UInt8] = []
  /// The offset in `buffer` where the unread data starts.
  private var start = 0
  /// How many bytes of `buffer[start...]` are known to contain no LF.
  private var scanned = 0
  private var lineNumber = 0
  private var atEnd = false
  /// True while the rest of an over-long line is being discarded.
  private var discarding = false
  /// The largest number of bytes the buffer has held, for checking the memory bound.
  private(set) var peakBufferedBytes = 0
  /// The first byte other than a space, tab or CR of the last line reported as too long,
  /// nil before any such line. A caller can tell from it that the input is, for example,
  /// a JSON array written on one line.
  public private(set) var overLongLineFirstByte: UInt8?

  /// Creates a reader.
  /// - Parameters:
  ///   - fileDescriptor: An open, readable descriptor; the reader never closes it.
  ///   - maximumLineBytes: The longest accepted line; `EventJSON.maximumEventBytes` by
  ///     default.
  ///   - chunkSize: Bytes requested per `read(2)` call.
  public init(
    fileDescriptor: Int32, maximumLineBytes: Int = EventJSON.maximumEventBytes,
    chunkSize: Int = 65_536
  ) {
    self.fileDescriptor = fileDescriptor
    self.maximumLineBytes = maximumLineBytes
    self.chunkSize = max(1, chunkSize)
  }

  /// Returns the next non-blank line with its 1-based number, or nil at end of input.
  /// - Throws: `EventInputError` for an over-long line (field nil), or when `read(2)`
  ///   fails; after an over-long line, calling again resumes at the line after it.
  public mutating func next() throws(EventInputError) -> (lineNumber: Int, bytes: [UInt8])? {
    while true {
      if let newline = findNewline() {
        let lineEnd = newline
        let wasDiscarding = discarding
        discarding = false
        // A discarded line was counted when its error was thrown.
        if !wasDiscarding { lineNumber += 1 }
        var contentEnd = lineEnd
        if contentEnd > start, buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
        let length = contentEnd - start
        let line = Array(buffer[start..<contentEnd])
        consume(upTo: lineEnd + 1)
        if wasDiscarding { continue }
        if length > maximumLineBytes { throw overLong(line[...]) }
        if isBlank(line) { continue }
        return (lineNumber, line)
      }

      // No LF in the buffered data: the pending line is incomplete.
      let pending = buffer.count - start
      if !discarding, pending > maximumLineBytes + 1 {
        // One extra byte is allowed for the CR of a CRLF terminator.
        lineNumber += 1
        discarding = true
        let error = overLong(buffer[start...])
        consume(upTo: buffer.count)
        throw error
      }
      if discarding { consume(upTo: buffer.count) }

      if atEnd {
        guard pending > 0, !discarding else {
          discarding = false
          return nil
        }
        lineNumber += 1
        var contentEnd = buffer.count
        if buffer[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
        let line = Array(buffer[start..<contentEnd])
        consume(upTo: buffer.count)
        if line.count > maximumLineBytes { throw overLong(line[...]) }
        if isBlank(line) { return nil }
        return (lineNumber, line)
      }
      try fill()
    }
  }

  /// Notes the first byte of the over-long line whose start is `line`, and returns its
  /// error.
  private mutating func overLong(_ line: ArraySlice<UInt8>) -> EventInputError {
    var line = line
    // A UTF-8 byte-order mark may start the input, and is not part of its first line.
    if lineNumber == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
    overLongLineFirstByte = line.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
    return EventInputError(
      line: lineNumber, field: nil,
      reason: "the line is longer than the maximum event size of \(maximumLineBytes) bytes")
  }

  private mutating func findNewline() -> Int? {
    var index = start + scanned
    while index < buffer.count {
      if buffer[index] == 0x0A { return index }
      index += 1
    }
    scanned = buffer.count - start
    return nil
  }

  /// Drops the bytes before `offset`, compacting the buffer when most of it is consumed.
  private mutating func consume(upTo offset: Int) {
    start = offset
    scanned = 0
    if start == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      start = 0
    } else if start >= chunkSize {
      buffer.removeSubrange(0..<start)
      start = 0
    }
  }

  private mutating func fill() throws(EventInputError) {
    let oldCount = buffer.count
    buffer.reserveCapacity(oldCount + chunkSize)
    var received = 0
    var failure: Int32 = 0
    buffer.append(contentsOf: repeatElement(0, count: chunkSize))
    buffer.withUnsafeMutableBytes { raw in
      guard let base = raw.baseAddress else { return }
      while true {
        let count = read(fileDescriptor, base + oldCount, chunkSize)
        if count < 0, errno == EINTR { continue }
        if count < 0 { failure = errno } else { received = count }
        return
      }
    }
    peakBufferedBytes = max(peakBufferedBytes, buffer.count)
    buffer.removeSubrange((oldCount + received)...)
    if failure != 0 {
      throw EventInputError(
        line: lineNumber + 1, field: nil,
        reason: "reading the input failed: \(String(cString: strerror(failure)))")
    }
    if received == 0 { atEnd = true }
  }
}

private func isBlank(_ line: [UInt8]) -> Bool {
  line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
}
