import CTierlineCRC
import Foundation
import Testing

@testable import TierlineStore

@Suite("Record integrity")
struct RecordIntegrityTests {
  @Test("CRC-32C check values")
  func crcCheckValues() {
    let cases: [(String, UInt32)] = [
      ("", 0),
      ("a", 0xC1D0_4330),
      ("123456789", 0xE306_9283),
      ("The quick brown fox jumps over the lazy dog", 0x2262_0404),
    ]
    for (text, expected) in cases {
      let crc = Array(text.utf8).withUnsafeBytes { CRC32C.checksum($0) }
      #expect(crc == expected, "\(text)")
    }
    let zeros = [UInt8](repeating: 0, count: 32)
    #expect(zeros.withUnsafeBytes { CRC32C.checksum($0) } == 0x8A91_36AA)
  }

  @Test("the table and the processor instruction give the same CRC-32C")
  func crcPathsAgree() {
    // The program chooses when it loads. If that step did not run, every checksum would
    // use the slower tables.
    #expect(CRC32C.usesHardware == (tierline_crc32c_hardware_available() == 1))
    var generator = SystemRandomNumberGenerator()
    // Every length up to 80 covers each tail length after the 8-byte words.
    for count in 0...80 {
      let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
      bytes.withUnsafeBytes { buffer in
        #expect(CRC32C.checksum(buffer) == CRC32C.tableChecksum(buffer), "\(bytes)")
        // A checksum over two runs equals the checksum of the joined run, wherever it is cut.
        for cut in [0, count / 3, count] {
          let first = UnsafeRawBufferPointer(rebasing: buffer[..<cut])
          let second = UnsafeRawBufferPointer(rebasing: buffer[cut...])
          #expect(CRC32C.checksum(first, second) == CRC32C.tableChecksum(buffer), "\(cut)")
        }
      }
    }
  }

  @Test(
    "record layout round trip",
    arguments: [
      (nil, [1, 0, 0, 0]), (0, [2, 0, 0, 0]), (0x0A_0B0C, [2, 0x0C, 0x0B, 0x0A]),
      (RecordLayout.largestOriginatorNumber, [2, 0xFF, 0xFF, 0xFF]),
    ] as [(UInt32?, [UInt8])])
  func layoutRoundTrip(number: UInt32?, header: [UInt8]) throws {
    let content: [UInt8] = Array("payload".utf8)
    var buffer = [UInt8](repeating: 0xFF, count: RecordLayout.size(contentCount: content.count))
    buffer.withUnsafeMutableBytes { space in
      RecordLayout.write(
        into: space, recordedAt: -5, occurredAt: 1 << 40, content: content,
        originatorNumber: number)
    }
    #expect(Array(buffer[0..<4]) == header)
    #expect(Array(buffer[8..<16]) == [0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])

    let decoded = try buffer.withUnsafeBytes { bytes in
      let view = try RecordLayout.decode(bytes, position: 9)
      return (view.recordedAt, view.occurredAt, Array(view.content), view.originatorNumber)
    }
    #expect(decoded.0 == -5)
    #expect(decoded.1 == 1 << 40)
    #expect(decoded.2 == content)
    #expect(decoded.3 == number ?? 0)
  }

  @Test(
    "damaged header or body is corrupt",
    arguments: [nil, 7] as [UInt32?], [0, 1, 2, 3, 5, 12, 20, 26])
  func layoutDamage(number: UInt32?, offset: Int) throws {
    let content: [UInt8] = Array("payload".utf8)
    var buffer = [UInt8](repeating: 0, count: RecordLayout.size(contentCount: content.count))
    buffer.withUnsafeMutableBytes { space in
      RecordLayout.write(
        into: space, recordedAt: 1, occurredAt: 2, content: content, originatorNumber: number)
    }
    buffer[offset] ^= 0x04
    let error = #expect(throws: StoreError.self) {
      try buffer.withUnsafeBytes { bytes in
        _ = try RecordLayout.decode(bytes, position: 42)
      }
    }
    #expect(error?.code == .corrupt)
    #expect(error?.message.contains("position 42") == true)
  }

  @Test("short record is corrupt")
  func shortRecord() {
    let error = #expect(throws: StoreError.self) {
      try [UInt8](repeating: 0, count: 10).withUnsafeBytes { bytes in
        _ = try RecordLayout.decode(bytes, position: 3)
      }
    }
    #expect(error?.code == .corrupt)
  }

  @Test("flipped byte in data.mdb is detected")
  func flippedByteInFile() throws {
    try withTemporaryDirectory { directory in
      let marker = "MARKER-7f3a9c-content"
      do {
        let store = try EventStore(
          directory: directory, options: StoreOptions(createIfMissing: true))
        _ = try store.append(
          [newRecord("e1", content: marker), newRecord("e2", content: "intact")], now: 1)
      }

      let url = URL(fileURLWithPath: directory + "/data.mdb")
      var file = try Data(contentsOf: url)
      let needle = Data(marker.utf8)
      var flipped = 0
      var searchStart = file.startIndex
      while let range = file.range(of: needle, in: searchStart..<file.endIndex) {
        file[range.lowerBound + 3] ^= 0x01
        flipped += 1
        searchStart = range.upperBound
      }
      #expect(flipped >= 1)
      try file.write(to: url)

      let store = try EventStore(directory: directory)
      try store.read { transaction throws in
        let error = #expect(throws: StoreError.self) {
          try transaction.record(at: 1)
        }
        #expect(error?.code == .corrupt)
        #expect(error?.message.contains("position 1") == true)
        let intact = try #require(try transaction.record(at: 2))
        #expect(String(decoding: intact.content, as: UTF8.self) == "intact")
      }
      let scanError = #expect(throws: StoreError.self) {
        try store.allRecords()
      }
      #expect(scanError?.code == .corrupt)
      let appendError = #expect(throws: StoreError.self) {
        try store.append([newRecord("e1", content: marker)], now: 2)
      }
      #expect(appendError?.code == .corrupt)
    }
  }
}
