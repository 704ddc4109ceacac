import Testing

@testable import TierlineStore

@Suite("Auxiliary databases")
struct AuxDatabaseTests {
  @Test("put and get")
  func putAndGet() throws {
    try withNewStore { store, _ throws in
      try store.write { transaction in
        try transaction.putAux(.rules, key: Array("b".utf8), value: [2])
        try transaction.putAux(.rules, key: Array("a".utf8), value: [1])
        try transaction.putAux(.checkpoints, key: Array("a".utf8), value: [9, 9])
        #expect(try transaction.auxValue(.rules, key: Array("a".utf8)) == [1])
      }
      try store.write { transaction in
        try transaction.putAux(.rules, key: Array("b".utf8), value: [3])
      }

      try store.read { transaction throws in
        #expect(try transaction.auxValue(.rules, key: Array("a".utf8)) == [1])
        #expect(try transaction.auxValue(.rules, key: Array("b".utf8)) == [3])
        #expect(try transaction.auxValue(.checkpoints, key: Array("a".utf8)) == [9, 9])
        #expect(try transaction.auxValue(.checkpoints, key: Array("b".utf8)) == nil)

        var keys: [String] = []
        try transaction.forEachAux(.rules) { key, _ in
          keys.append(String(decoding: key, as: UTF8.self))
          return true
        }
        #expect(keys == ["a", "b"])
      }
    }
  }

  /// Stores `bytes` under `key` in `rules` as they are, without a trailer.
  private func putRaw(_ store: EventStore, key: String, bytes: [UInt8]) throws {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: false)
    try KeyLayout.withBytes(Array(key.utf8)) { keyBytes throws(LMDBError) in
      try KeyLayout.withBytes(bytes) { valueBytes throws(LMDBError) in
        try transaction.put(in: store.databases.rules, key: keyBytes, value: valueBytes)
      }
    }
    try transaction.commit()
  }

  /// Returns the stored bytes under `key` in `rules`, trailer included.
  private func storedBytes(_ store: EventStore, key: String) throws -> [UInt8] {
    let transaction = try LMDBTransaction(environment: store.environment, readOnly: true)
    let found = try KeyLayout.withBytes(Array(key.utf8)) { keyBytes throws(LMDBError) in
      try transaction.value(in: store.databases.rules, forKey: keyBytes).map { Array($0) }
    }
    transaction.abort()
    return try #require(found)
  }

  @Test("damaged value fails its checksum")
  func damagedValueFails() throws {
    try withNewStore { store, _ throws in
      try store.write { transaction in
        try transaction.putAux(.rules, key: Array("a".utf8), value: Array("{\"x\":1}".utf8))
      }
      var stored = try storedBytes(store, key: "a")
      #expect(stored.count == 7 + AuxLayout.trailerSize)
      stored[3] ^= 0x01
      try putRaw(store, key: "a", bytes: stored)

      let error = #expect(throws: StoreError.self) {
        try store.read { try $0.auxValue(.rules, key: Array("a".utf8)) }
      }
      #expect(error?.code == .corrupt)
      #expect(error?.message.contains("CRC-32C") == true)
      let listed = #expect(throws: StoreError.self) {
        try store.read { transaction in
          try transaction.forEachAux(.rules) { _, _ in true }
        }
      }
      #expect(listed?.code == .corrupt)
    }
  }

  @Test("format 1 stores values without a trailer")
  func formatOneWithoutTrailer() throws {
    var options = StoreOptions(createIfMissing: true)
    options.newFormatVersion = 1
    try withNewStore(options: options) { store, _ throws in
      try store.write { transaction in
        try transaction.putAux(.rules, key: Array("a".utf8), value: Array("{}".utf8))
      }
      #expect(try storedBytes(store, key: "a") == Array("{}".utf8))
      #expect(try store.read { try $0.auxValue(.rules, key: Array("a".utf8)) } == Array("{}".utf8))
    }
  }

  @Test("value without a trailer reads as stored")
  func valueWithoutTrailer() throws {
    try withNewStore { store, _ throws in
      try putRaw(store, key: "old", bytes: Array("{\"x\":1}".utf8))
      #expect(
        try store.read { try $0.auxValue(.rules, key: Array("old".utf8)) }
          == Array("{\"x\":1}".utf8))
    }
  }

  @Test("throwing write stores nothing")
  func throwingWriteRollsBack() throws {
    struct Abandon: Error {}
    try withNewStore { store, _ throws in
      #expect(throws: Abandon.self) {
        try store.write { transaction in
          try transaction.putAux(.rules, key: Array("k".utf8), value: [1])
          throw Abandon()
        }
      }
      #expect(try store.read { try $0.auxValue(.rules, key: Array("k".utf8)) } == nil)
    }
  }

  @Test("aux write grows the map")
  func auxWriteGrowsMap() throws {
    let options = StoreOptions(initialMapSize: 64 << 10, createIfMissing: true)
    try withNewStore(options: options) { store, _ in
      let value = [UInt8](repeating: 7, count: 200 << 10)
      try store.write { transaction in
        try transaction.putAux(.checkpoints, key: Array("big".utf8), value: value)
      }
      #expect(store.mapSize > 64 << 10)
      #expect(try store.read { try $0.auxValue(.checkpoints, key: Array("big".utf8)) } == value)
    }
  }

  @Test("empty aux key is rejected")
  func emptyKey() throws {
    try withNewStore { store, _ throws in
      let error = #expect(throws: StoreError.self) {
        try store.write { transaction in
          try transaction.putAux(.rules, key: [], value: [1])
        }
      }
      #expect(error?.code == .invalidArgument)
    }
  }

  @Test("oversized aux value is rejected")
  func oversizedValue() throws {
    try withNewStore { store, _ throws in
      let largest = [UInt8](repeating: 7, count: AuxLayout.maximumValueSize)
      try store.write { transaction in
        try transaction.putAux(.rules, key: Array("a".utf8), value: largest)
      }
      let error = #expect(throws: StoreError.self) {
        try store.write { transaction in
          try transaction.putAux(.rules, key: Array("b".utf8), value: largest + [7])
        }
      }
      #expect(error?.code == .invalidArgument)
      try store.read { transaction throws in
        #expect(try transaction.auxValue(.rules, key: Array("a".utf8)) == largest)
      }
    }
  }

  @Test("damaged aux size is rejected unread")
  func damagedSize() throws {
    // A size beyond any stored value must be rejected before its last bytes are read,
    // so the buffer here is only as long as the check needs.
    let size = AuxLayout.maximumValueSize + AuxLayout.trailerSize + 1
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
    defer { bytes.deallocate() }
    bytes.initializeMemory(as: UInt8.self, repeating: 0)
    let key: [UInt8] = Array("v".utf8)
    let error = #expect(throws: StoreError.self) {
      try key.withUnsafeBytes { keyBytes in
        _ = try AuxLayout.unsealed(
          UnsafeRawBufferPointer(bytes), database: .rules, key: keyBytes)
      }
    }
    #expect(error?.code == .corrupt)
    #expect(error?.message.contains("reports \(size) bytes") == true)
  }

  @Test("damaged long key is shortened in messages")
  func longKeyDescription() {
    let damaged = [UInt8](repeating: 0x9F, count: 14_000)
    let text = describeKey(damaged)
    #expect(text.hasSuffix("… (14000 bytes)"))
    #expect(text.count < 200)
    #expect(describeKey(Array("acct-1".utf8)) == #""acct-1""#)
  }

  @Test("full reader table is a retryable error")
  func readersFull() {
    let error = StoreError.failure(.readersFull, "could not begin a transaction")
    #expect(error.code == .readersFull)
    #expect(error.message.contains("retry when some of them finish"))
  }
}

@Suite("Write transaction results")
struct WriteTransactionResultTests {
  @Test("nil result still commits")
  func nilResultCommits() throws {
    try withNewStore { store, _ in
      let result: Int? = try store.write { transaction in
        try transaction.putAux(.checkpoints, key: Array("k".utf8), value: [5])
        return nil
      }
      #expect(result == nil)
      #expect(try store.read { try $0.auxValue(.checkpoints, key: Array("k".utf8)) } == [5])
    }
  }
}
