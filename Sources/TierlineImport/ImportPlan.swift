import TierlineEvents
import TierlineLedger

/// The events an importer derived from one input file and the records it rejected.
///
/// Nothing is stored yet: `ImportRunner` checks the plan against the ledger and appends
/// it in one batch.
public struct ImportPlan: Sendable {
  /// Events to append, in the order they are appended; `line` is the source record.
  public private(set) var events: [NumberedEvent] = []
  /// Records that cannot be imported, in input order.
  public private(set) var rejections: [ImportRejection] = []
  /// Events that repeat an earlier event of the same input exactly; they are skipped.
  public private(set) var repeatedInInput = 0
  /// Records that carry nothing to import, such as unmapped analytics events.
  public var ignored = 0
  /// `line` for text formats, `item` for the elements of a JSON array.
  public var unit = "line"
  /// Messages about input that was read but is not imported as written, such as a
  /// cancellation scheduled after the time of the run. They reject nothing.
  public var warnings: [String] = []
  /// Whether each account's events build on the earlier ones, as a landing and the tier
  /// changes after it do. When the ledger rejects one, the account's later events of
  /// this input are rejected with it rather than stored without it.
  public var accountEventsChain = false
  /// Accounts whose state before this input is taken as already in the ledger, each with
  /// the first record that assumes it, in input order.
  public private(set) var assumedAccounts: [(account: AccountID, line: Int)] = []

  private var indexByID: [String: Int] = [:]
  private var sourceRecords: [String: (line: Int, value: JSONValue)] = [:]

  /// Creates an empty plan.
  public init(unit: String = "line") {
    self.unit = unit
  }

  /// Notes that the record at `line` takes the state of `account` before this input as
  /// already in the ledger.
  public mutating func assume(account: AccountID, line: Int) {
    guard !assumedAccounts.contains(where: { $0.account == account }) else { return }
    assumedAccounts.append((account, line))
  }

  /// Records a rejected input record.
  public mutating func reject(line: Int, field: String?, reason: String) {
    rejections.append(ImportRejection(line: line, unit: unit, field: field, reason: reason))
  }

  /// Records a rejection made elsewhere, keeping its unit.
  public mutating func reject(_ rejection: ImportRejection) {
    rejections.append(rejection)
  }

  /// Validates an event written as interchange JSON and adds it to the plan.
  ///
  /// The draft goes through the same decoder as `tierline append`, so every rule of
  /// format v1 applies. An id that repeats an earlier event of this input with the same
  /// content is counted in `repeatedInInput`; with other content it is rejected.
  /// - Parameter fieldNames: Maps event field paths such as `data.quantity` to the
  ///   input's own names, so rejections name what the user can find in the file.
  /// - Returns: whether the event was added.
  @discardableResult
  public mutating func add(
    _ draft: JSONValue, line: Int, fieldNames: [String: String] = [:]
  ) -> Bool {
    switch validate(draft, line: line, fieldNames: fieldNames) {
    case .success(let item):
      return add(item)
    case .failure(let rejection):
      reject(rejection)
      return false
    }
  }

  /// Validates an event written as interchange JSON, as `add(_:line:fieldNames:)` does,
  /// without adding it to the plan.
  public func validate(
    _ draft: JSONValue, line: Int, fieldNames: [String: String] = [:]
  ) -> Result<NumberedEvent, ImportRejection> {
    do {
      let incoming = try EventJSON.decode(
        draft.serialized(sortingKeys: false), lineNumber: line)
      return .success(NumberedEvent(line: line, incoming: incoming))
    } catch {
      let field = error.field.map { name in fieldNames[name].map { "\(name) (\($0))" } ?? name }
      return .failure(ImportRejection(line: line, unit: unit, field: field, reason: error.reason))
    }
  }

  /// Counts a record that repeats an earlier record of this input exactly, so the report
  /// lists it as a duplicate.
  public mutating func countRepeatedRecord() {
    repeatedInInput += 1
  }

  /// Checks a source record's own id, such as a Stripe event id, against the earlier
  /// records of this input.
  ///
  /// A record repeated exactly, as webhook retries deliver them, is counted in
  /// `repeatedInInput`; the same id with other content is rejected.
  /// - Returns: true on the first sighting of `key`, when the record should be processed.
  public mutating func isFirstSighting(
    of key: String, field: String, record: JSONValue, line: Int
  ) -> Bool {
    guard let earlier = sourceRecords[key] else {
      sourceRecords[key] = (line, record)
      return true
    }
    if Self.sameContent(earlier.value, record) {
      repeatedInInput += 1
    } else {
      reject(
        line: line, field: field,
        reason: "\(jsonQuoted(key)) is already used by \(unit) \(earlier.line) with other "
          + "content")
    }
    return false
  }

  /// Returns whether two source records hold the same values, whatever the order of
  /// their object keys, as a retry serialized again may have another order.
  static func sameContent(_ left: JSONValue, _ right: JSONValue) -> Bool {
    switch (left, right) {
    case (.object(let leftMembers), .object(let rightMembers)):
      guard leftMembers.count == rightMembers.count else { return false }
      return leftMembers.allSatisfy { member in
        guard let other = rightMembers.first(where: { $0.key == member.key }) else {
          return false
        }
        return sameContent(member.value, other.value)
      }
    case (.array(let leftElements), .array(let rightElements)):
      return leftElements.count == rightElements.count
        && zip(leftElements, rightElements).allSatisfy { sameContent($0, $1) }
    default:
      return left == right
    }
  }

  /// Adds a validated event, checking its id against the earlier events of this input.
  @discardableResult
  public mutating func add(_ item: NumberedEvent) -> Bool {
    let event = item.incoming.event
    if let index = indexByID[event.id] {
      if events[index].incoming.event == event {
        repeatedInInput += 1
      } else {
        reject(
          line: item.line, field: "id",
          reason: "event id \(jsonQuoted(event.id)) is already used by \(unit) "
            + "\(events[index].line) with other content")
      }
      return false
    }
    indexByID[event.id] = events.count
    events.append(item)
    return true
  }
}
