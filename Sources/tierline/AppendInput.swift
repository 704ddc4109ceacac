import TierlineEvents
import TierlineLedger

/// The valid events of an append's input, with what the checks before and after storing
/// need to know about them.
///
/// Without `--batch-size` the input is one batch, so its events stay in memory. With it,
/// they go to an `EventSpool` and come back one batch at a time. Memory then keeps a
/// batch, the accounts and names of the input, and, for the check of repeated ids, a hash
/// table with a 16-byte entry per event. When the spool cannot be written for lack of
/// room, its events move to memory and the input continues there.
final class AppendInput {
  private var events: [NumberedEvent] = []
  private var spool: EventSpool?
  private var repeatedIDs = RepeatedIDCheck()
  /// The number of valid events.
  var count: Int { spool?.count ?? events.count }
  /// The accounts of the input, for the warning about accounts without a landing.
  private(set) var accounts = InputAccounts()
  /// The metrics, check-in kinds and milestones of the input.
  private(set) var names = InputNames()
  /// The events that occurred more than a day after the input was read.
  private(set) var futureEvents = FutureEvents()

  /// Creates an empty input that keeps its events in `spool`, or in memory without one.
  init(spool: EventSpool?) {
    self.spool = spool
  }

  /// Adds a valid event.
  func add(_ event: NumberedEvent) throws {
    accounts.add(event.incoming.event)
    names.add(event.incoming.event)
    futureEvents.add(event)
    if let spool {
      let offset: UInt64
      do {
        offset = try spool.append(event)
      } catch let error where Self.lacksRoom(error) {
        // The spool keeps the event even when writing its buffer out failed.
        try moveToMemory(from: spool, after: error)
        return
      }
      try repeatedIDs.add(event, at: offset, in: spool)
      return
    }
    events.append(event)
    try checkInMemory(events.count - 1)
  }

  /// Checks the event at `index` of `events` for a repeated id.
  private func checkInMemory(_ index: Int) throws {
    try repeatedIDs.add(events[index], at: UInt64(index)) { (earlier) throws(LedgerError) in
      events[Int(earlier)]
    }
  }

  /// Returns whether `error` is a write to the spool that found no room.
  private static func lacksRoom(_ error: LedgerError) -> Bool {
    (error.underlying as? SpoolFailure)?.isLackOfRoom == true
  }

  /// Moves the events of `spool` to memory after `error`, a write that found no room,
  /// so that the append goes on as without a spool.
  private func moveToMemory(from spool: EventSpool, after error: LedgerError) throws {
    writeToStandardError("note: \(error.message); the events wait in memory instead\n")
    events = try spool.allEvents()
    self.spool = nil
    repeatedIDs = RepeatedIDCheck()
    for index in events.indices { try checkInMemory(index) }
  }

  /// The first event id that the input gives to two different events, as the error to
  /// report when the input is stored in more than one batch. A single batch gets the
  /// ledger's own check as well.
  var repeatedID: LedgerError? { repeatedIDs.conflict }

  /// Returns the events in input order, `size` at a time.
  func batches(size: Int) throws -> Batches {
    if let spool {
      do {
        return Batches(source: .spool(try spool.batches(size: size)))
      } catch let error where Self.lacksRoom(error) {
        try moveToMemory(from: spool, after: error)
      }
    }
    return Batches(source: .memory(events, size: size, next: 0))
  }

  /// The events of an input in batches, read from memory or from the spool.
  struct Batches {
    enum Source {
      case memory([NumberedEvent], size: Int, next: Int)
      case spool(EventSpool.Batches)
    }
    var source: Source

    /// Returns the next batch, or nil after the last.
    mutating func nextBatch() throws -> [NumberedEvent]? {
      switch source {
      case .memory(let events, let size, let next):
        guard next < events.count else { return nil }
        let end = min(next + size, events.count)
        source = .memory(events, size: size, next: end)
        return Array(events[next..<end])
      case .spool(var batches):
        let batch = try batches.nextBatch()
        source = .spool(batches)
        return batch
      }
    }
  }
}

/// The accounts of an input: which have an `account.landed` event in it, and how many
/// events each has, in order of first appearance.
struct InputAccounts {
  private(set) var landed: Set<AccountID> = []
  private(set) var counts: [AccountID: UInt64] = [:]
  private(set) var order: [AccountID] = []

  mutating func add(_ event: Event) {
    if case .accountLanded = event.payload { landed.insert(event.account) }
    if counts.updateValue((counts[event.account] ?? 0) + 1, forKey: event.account) == nil {
      order.append(event.account)
    }
  }
}

/// The metrics, check-in kinds and milestones of an input, each once, in order of first
/// appearance.
struct InputNames {
  private(set) var metrics = OrderedNames()
  private(set) var checkinKinds = OrderedNames()
  private(set) var milestones = OrderedNames()

  mutating func add(_ event: Event) {
    switch event.payload {
    case .usageRecorded(let usage): metrics.insert(usage.metric)
    case .checkinCompleted(let checkin): checkinKinds.insert(checkin.kind)
    case .milestoneReached(let reached): milestones.insert(reached.milestone)
    default: break
    }
  }
}

/// Names in order of first appearance, each once.
struct OrderedNames {
  private(set) var names: [String] = []
  private var seen: Set<String> = []

  mutating func insert(_ name: String) {
    if seen.insert(name).inserted { names.append(name) }
  }
}
