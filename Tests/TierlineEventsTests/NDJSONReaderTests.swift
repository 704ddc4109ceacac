import Foundation
import Testing

@testable import TierlineEvents

@Suite("NDJSON reader")
struct NDJSONReaderTests {
  /// Writes `bytes` to a temporary file and returns a reader over it with the descriptor.
  private func withReader(
    _ bytes: [UInt8], chunkSize: Int = 65_536, maximumLineBytes: Int = 65_536,
    _ body: (inout NDJSONReader) throws -> Void
  ) throws {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("ndjson-\(UUID().uuidString)")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let handle = try FileHandle(forReadingFrom: url)
    defer { try? handle.close() }
    var reader = NDJSONReader(
      fileDescriptor: handle.fileDescriptor, maximumLineBytes: maximumLineBytes,
      chunkSize: chunkSize)
    try body(&reader)
  }

  private func readAll(_ reader: inout NDJSONReader) throws -> [(Int, String)] {
    var lines: [(Int, String)] = []
    while let (number, bytes) = try reader.next() {
      lines.append((number, String(decoding: bytes, as: UTF8.self)))
    }
    return lines
  }

  @Test("LF, CRLF, blank lines and a missing final newline", arguments: [1, 3, 65_536])
  func lineEndings(chunkSize: Int) throws {
    let input = "a\r\n\nb\n  \r\n\r\nc\r\nd"
    try withReader(Array(input.utf8), chunkSize: chunkSize) { reader in
      let lines = try readAll(&reader)
      #expect(lines.map(\.0) == [1, 3, 6, 7])
      #expect(lines.map(\.1) == ["a", "b", "c", "d"])
    }
  }

  @Test("empty input yields nothing")
  func emptyInput() throws {
    try withReader([]) { (reader: inout NDJSONReader) throws in
      #expect(try reader.next() == nil)
    }
  }

  @Test("line of exactly the maximum is accepted with CRLF")
  func exactMaximum() throws {
    var input = [UInt8](repeating: UInt8(ascii: "x"), count: 10)
    input += Array("\r\nok\n".utf8)
    try withReader(input, chunkSize: 4, maximumLineBytes: 10) { reader in
      let lines = try readAll(&reader)
      #expect(lines.map(\.0) == [1, 2])
      #expect(lines.first?.1.utf8.count == 10)
    }
  }

  @Test("10 MB line fails and reading resumes after it")
  func hugeLine() throws {
    var input = Array("first\n".utf8)
    input += [UInt8](repeating: UInt8(ascii: "x"), count: 10_000_000)
    input += Array("\nlast\n".utf8)
    try withReader(input) { reader in
      let first = try reader.next()
      #expect(first?.lineNumber == 1)
      do throws(EventInputError) {
        let line = try reader.next()
        Issue.record("over-long line was returned: \(line?.bytes.count ?? 0) bytes")
      } catch {
        #expect(error.line == 2)
        #expect(error.field == nil)
        #expect(error.reason == "the line is longer than the maximum event size of 65536 bytes")
      }
      let last = try reader.next()
      #expect(last?.lineNumber == 3)
      #expect(last.map { String(decoding: $0.bytes, as: UTF8.self) } == "last")
      #expect(try reader.next() == nil)
      #expect(reader.peakBufferedBytes <= EventJSON.maximumEventBytes + 2 * 65_536)
    }
  }

  @Test("over-long final line without newline fails")
  func hugeFinalLine() throws {
    let input = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
    try withReader(input) { (reader: inout NDJSONReader) throws in
      #expect(throws: EventInputError.self) { try reader.next() }
      #expect(try reader.next() == nil)
    }
  }

  @Test("fixture lines read through the reader decode")
  func fixtureThroughReader() throws {
    let data = try Data(
      contentsOf: FixtureFiles.directory.appendingPathComponent("valid-v1.ndjson"))
    try withReader(Array(data), chunkSize: 100) { reader in
      var count = 0
      while let (number, bytes) = try reader.next() {
        _ = try EventJSON.decode(bytes, lineNumber: number)
        count += 1
      }
      #expect(count == 17)
    }
  }
}
