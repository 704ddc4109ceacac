import TierlineEvents
import TierlineLedger

/// Derives usage, milestones and headcount changes from Segment `track` and `group`
/// calls, one JSON object per line.
///
/// The account is `context.groupId`, else the top-level `groupId`; the time is
/// `timestamp`, else `originalTimestamp`; the event id is `segment:` + `messageId`.
/// Headcount comes from `group` traits `employees` and grows by one with each
/// `Account Added User` track call, counted from the last `employees` trait of the
/// account in the same file. Such a call before the account's first trait is ignored.
public enum SegmentImporter {
  /// The B2B track event that adds one to the account's headcount.
  public static let addedUserEvent = "Account Added User"

  /// Reads Segment calls and plans events.
  ///
  /// Calls are applied in time order, then input order. `identify`, `page` and other
  /// call types, and track events that the mapping does not name, are counted as ignored.
  public static func plan(_ bytes: [UInt8], mapping: SegmentMapping) -> ImportPlan {
    let input = JSONRecords.read(bytes)
    var plan = ImportPlan(unit: input.unit)
    for error in input.errors { plan.reject(error) }

    var calls: [(line: Int, at: Timestamp, call: JSONValue)] = []
    for (line, call) in input.records {
      let field = call.string(at: "timestamp") != nil ? "timestamp" : "originalTimestamp"
      guard let text = call.string(at: field) else {
        plan.reject(
          line: line, field: "timestamp", reason: "is missing, and so is originalTimestamp")
        continue
      }
      guard let at = Timestamp(rfc3339: text) else {
        plan.reject(
          line: line, field: field,
          reason: "\(jsonQuoted(text)) \(ImportTime.rfc3339Problem(text))")
        continue
      }
      calls.append((line, at, call))
    }
    calls.sort { ($0.at, $0.line) < ($1.at, $1.line) }

    var headcounts: [String: Int64] = [:]
    var uncountedAddedUsers = 0
    var effects: [String: (line: Int, effect: SegmentCallEffect)] = [:]
    for (line, at, call) in calls {
      let type = call.string(at: "type") ?? ""
      guard type == "track" || type == "group" else {
        plan.ignored += 1
        continue
      }
      guard let messageID = call.string(at: "messageId") else {
        plan.reject(line: line, field: "messageId", reason: "is missing")
        continue
      }
      // An id of another JSON type is named as such: reporting it missing would send the
      // reader looking for a field that is there.
      // The id that decides is checked: the top-level one only without a string in
      // context. null counts as absent.
      let deciding =
        call.string(at: "context.groupId") != nil
        ? "context.groupId"
        : [nil, .null].contains(call.value(at: "context.groupId")) ? "groupId" : "context.groupId"
      if let given = call.value(at: deciding), given != .null, given.stringValue == nil {
        plan.reject(line: line, field: deciding, reason: "is not a string")
        continue
      }
      guard let account = call.string(at: "context.groupId") ?? call.string(at: "groupId")
      else {
        plan.reject(
          line: line, field: "context.groupId",
          reason: "is missing, and so is groupId: the call names no account")
        continue
      }
      let id = "segment:" + messageID
      let effect = effect(
        of: call, id: id, account: account, at: at, line: line, mapping: mapping, plan: plan)
      if let earlier = effects[messageID] {
        if earlier.effect == effect {
          plan.countRepeatedRecord()
        } else {
          plan.reject(
            line: line, field: "messageId",
            reason: "\(jsonQuoted(messageID)) is already used by \(plan.unit) \(earlier.line) "
              + "for a call with another event, account, time or properties. Give each "
              + "message its own messageId")
        }
        continue
      }
      effects[messageID] = (line, effect)

      switch effect {
      case .event(let incoming):
        plan.add(NumberedEvent(line: line, incoming: incoming))
      case .headcount(let incoming, let count):
        headcounts[account] = count
        plan.add(NumberedEvent(line: line, incoming: incoming))
      case .addedUser(let account, let time):
        guard let known = headcounts[account] else {
          // Counting from 0 would record a headcount of 1, and the account's first
          // employees trait would then look like growth to the organizational trigger.
          plan.ignored += 1
          uncountedAddedUsers += 1
          continue
        }
        let (headcount, overflow) = known.addingReportingOverflow(1)
        guard !overflow else {
          plan.reject(line: line, field: "event", reason: "raises the headcount beyond 2^63 - 1")
          continue
        }
        headcounts[account] = headcount
        plan.add(
          eventDraft(
            id: id, type: .orgChanged, account: account, occurredAt: time.rfc3339,
            data: [("headcount", .number(String(headcount)))]), line: line)
      case .rejected(let field, let reason):
        plan.reject(line: line, field: field, reason: reason)
      case .ignored:
        plan.ignored += 1
      }
    }
    if uncountedAddedUsers > 0 {
      let calls = uncountedAddedUsers == 1 ? "1 call" : "\(uncountedAddedUsers) calls"
      plan.warnings.append(
        "ignored \(calls) of \(jsonQuoted(addedUserEvent)) that came before the first group "
          + "call with traits.employees of their account, because the headcount they add to "
          + "is not known. Begin each export with a group call per account")
    }
    return plan
  }
}
