import Testing

@testable import TierlineLedger

@Suite("Account table")
struct AccountTableTests {
  /// Returns a base id of each length from 1 through 40 bytes, and for each byte of it
  /// an id that differs from the base in that byte only.
  private func nearIDs() -> [[UInt8]] {
    var ids: [[UInt8]] = []
    for length in 1...40 {
      let base = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
      ids.append(base)
      for position in 0..<length {
        var changed = base
        changed[position] ^= 0x20
        ids.append(changed)
      }
    }
    return ids
  }

  @Test("joining a table maps every id")
  func joinTable() {
    let ids = nearIDs()
    // The first table has every other id, 430 of them, and the second the last two
    // thirds, so some ids are in both. Taking the rest, the first table passes 512 ids,
    // where its 1,024 buckets double.
    var first = AccountTable()
    for id in ids.enumerated().filter({ $0.offset % 2 == 0 }).map(\.element) {
      _ = id.withUnsafeBytes { first.slot(for: $0, hash: accountHash($0)) }
    }
    var second = AccountTable()
    let secondIDs = Array(ids[(ids.count / 3)...])
    for id in secondIDs {
      _ = id.withUnsafeBytes { second.slot(for: $0, hash: accountHash($0)) }
    }
    let countBefore = first.count

    let slots = first.slots(of: second)

    #expect(slots.count == secondIDs.count)
    #expect(
      first.count == countBefore + secondIDs.indices.filter { (ids.count / 3 + $0) % 2 == 1 }.count)
    for (index, id) in secondIDs.enumerated() {
      #expect(first.id(of: Int(slots[index])) == id)
    }
    #expect(Set(slots).count == slots.count)
  }

  @Test("one-byte differences get distinct slots")
  func distinctSlots() {
    let ids = nearIDs()
    // With one hash for every id, only the length, the prefix words and the bytes tell
    // the ids apart.
    for hash in [{ (id: UnsafeRawBufferPointer) in accountHash(id) }, { _ in 42 }] {
      var table = AccountTable()
      var slots: [Int] = []
      for id in ids {
        slots.append(id.withUnsafeBytes { table.slot(for: $0, hash: hash($0)) })
      }
      #expect(Set(slots).count == ids.count)
      #expect(table.count == ids.count)
      let again = ids.map { id in id.withUnsafeBytes { table.slot(for: $0, hash: hash($0)) } }
      #expect(again == slots)
    }
  }

  @Test("lookups return each id's first slot")
  func repeatedLookups() {
    var table = AccountTable()
    let ids = nearIDs()
    let first = ids.map { id in
      id.withUnsafeBytes { table.slot(for: $0, hash: accountHash($0)) }
    }
    // The second lookups run in reverse order, after the table has grown several times.
    for (index, id) in ids.enumerated().reversed() {
      let again = id.withUnsafeBytes { table.slot(for: $0, hash: accountHash($0)) }
      #expect(again == first[index], "id of \(id.count) bytes")
      #expect(table.id(of: again) == id)
    }
    #expect(table.count == ids.count)
  }

  @Test("id order sorts by bytes")
  func idOrder() {
    var table = AccountTable()
    let ids: [[UInt8]] = [Array("b".utf8), Array("ab".utf8), Array("a".utf8), Array("ba".utf8)]
    for id in ids {
      _ = id.withUnsafeBytes { table.slot(for: $0, hash: accountHash($0)) }
    }
    let order = table.idOrder()
    #expect(
      order.slotOfRank.map { table.id(of: $0) } == ids.sorted { $0.lexicographicallyPrecedes($1) })
    #expect(order.rankOfSlot == [2, 1, 0, 3])
  }

  @Test("id order matches byte order")
  func idOrderMatchesBytes() {
    // Ids that differ only past their eighth byte, ids that a zero byte extends, and ids
    // whose first eight bytes tie, besides the near ids.
    var ids = nearIDs()
    ids += [[0x61], [0x61, 0], [0x61, 0, 0], [0x61, 0, 1], [0xFF], [0xFF, 0xFF], [0, 0x61]]
    ids += (0..<20).map { Array("account-00000\($0)".utf8) }
    ids += [Array("abcdefgh".utf8), Array("abcdefghi".utf8), Array("abcdefg".utf8)]
    var table = AccountTable()
    var slotOfID: [[UInt8]: Int] = [:]
    for id in ids {
      slotOfID[id] = id.withUnsafeBytes { table.slot(for: $0, hash: accountHash($0)) }
    }
    let order = table.idOrder()
    let expected = slotOfID.keys.sorted { $0.lexicographicallyPrecedes($1) }
    #expect(order.slotOfRank.map { table.id(of: $0) } == expected)
    for (rank, slot) in order.slotOfRank.enumerated() {
      #expect(order.rankOfSlot[slot] == Int32(rank))
    }
  }

  @Test("id order on two threads")
  func idOrderOnTwoThreads() {
    // Enough ids to sort in halves: numbered ids in a scrambled order, so that each half
    // contains ids from the whole range, besides ids that tie on their leading words.
    var ids = (0..<(AccountTable.parallelOrderMinimum + 5_000)).map { index in
      Array("acct-\((index &* 7_919) % 100_000)".utf8)
    }
    ids += nearIDs()
    ids += [[0x61], [0x61, 0], [0x61, 0, 0], [0x61, 0, 1], [0xFF], [0, 0x61]]
    var table = AccountTable()
    var slotOfID: [[UInt8]: Int] = [:]
    for id in ids {
      slotOfID[id] = id.withUnsafeBytes { table.slot(for: $0, hash: accountHash($0)) }
    }
    #expect(table.count >= AccountTable.parallelOrderMinimum)

    let order = table.idOrder(threads: 2)

    let expected = slotOfID.keys.sorted { $0.lexicographicallyPrecedes($1) }
    #expect(order.slotOfRank.map { table.id(of: $0) } == expected)
    #expect(order.slotOfRank == table.idOrder().slotOfRank)
    #expect(order.rankOfSlot == table.idOrder().rankOfSlot)
  }
}
