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
