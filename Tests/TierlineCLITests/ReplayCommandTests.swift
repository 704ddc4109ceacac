import Foundation
import Testing

@Suite("tierline replay and why")
struct ReplayCommandTests {
  let directory: TemporaryDirectory
  let store: String

  init() throws {
    directory = try TemporaryDirectory()
    store = try Tierline.initializedStore(in: directory)
  }

  func append(_ lines: [String]) throws {
    let result = try Tierline.run(
      ["--store", store, "append", "-"], input: lines.joined(separator: "\n"))
    #expect(result.status == 0, "\(result.standardError)")
  }

  func projection(_ arguments: [String]) throws -> [String: Any] {
    let result = try Tierline.run(["--store", store, "replay", "--json"] + arguments)
    #expect(result.status == 0, "\(result.standardError)")
    return try #require(try result.jsonLines().first)
  }

  /// Appends a generated portfolio of `accounts` accounts to the store.
  private func appendGenerated(accounts: Int, seed: Int) throws {
    let generated = try Tierline.run(
      ["generate", "--accounts", String(accounts), "--seed", String(seed)])
    #expect(generated.status == 0, "\(generated.standardError)")
    let appended = try Tierline.run(
      ["--store", store, "append", "-"], input: generated.standardOutput)
    #expect(appended.status == 0, "\(appended.standardError)")
  }

  @Test("ready lists only ready accounts")
  func readyOnly() throws {
    try appendGenerated(accounts: 40, seed: 4)
    let time = ["--as-of", "2025-06-30"]

    let all = try Tierline.run(["--store", store, "replay", "--json"] + time).jsonLines()
    let readyAccounts = all.filter { $0["ready"] as? Bool == true }.compactMap {
      $0["account"] as? String
    }
    // The sample has accounts of both kinds at that time, so the filter is seen to work.
    #expect(!readyAccounts.isEmpty)
    #expect(readyAccounts.count < all.count)

    let filtered = try Tierline.run(["--store", store, "replay", "--json", "--ready"] + time)
    #expect(filtered.status == 0, "\(filtered.standardError)")
    #expect(try filtered.jsonLines().compactMap { $0["account"] as? String } == readyAccounts)

    let text = try Tierline.run(["--store", store, "replay", "--ready", "--threads", "2"] + time)
    #expect(text.status == 0, "\(text.standardError)")
    #expect(
      text.standardOutput.contains("\(readyAccounts.count) of \(all.count) accounts ready"),
      "\(text.standardOutput)")
  }

  @Test("text table quotes ids with spaces")
  func spacedIDsReadApart() throws {
    try append([
      Line.landed("s1", account: "b", at: "2024-01-10T09:00:00Z"),
      Line.landed("s2", account: " b", at: "2024-01-10T09:00:00Z"),
      Line.landed("s3", account: " b ", at: "2024-01-10T09:00:00Z"),
    ])
    let result = try Tierline.run(["--store", store, "replay", "--as-of", "2024-02-01"])
    #expect(result.status == 0, "\(result.standardError)")
    let rows = result.lines
    #expect(rows.contains { $0.hasPrefix("b ") }, "\(rows)")
    #expect(rows.contains { $0.hasPrefix("\" b\" ") }, "\(rows)")
    #expect(rows.contains { $0.hasPrefix("\" b \" ") }, "\(rows)")
  }

  @Test("late event shows as of, not known before")
  func lateEventBitemporal() throws {
    try append([Line.landed("l1", account: "late", at: "2024-01-10T09:00:00Z")])
    // The cut-off has whole seconds, so it needs a second of room on each side.
    Thread.sleep(forTimeInterval: 1.05)
    let beforeArrival = ISO8601DateFormatter().string(from: Date())
    Thread.sleep(forTimeInterval: 1.05)
    try append([
      Line.milestone("m1", account: "late", at: "2024-01-20T09:00:00Z", name: "first_value")
    ])

    let asOf = ["--account", "late", "--as-of", "2024-03-01T00:00:00Z"]
    let now = try projection(asOf)
    #expect(now["first_value_at"] as? String == "2024-01-20T09:00:00Z")
    #expect(now["ttfv_days"] as? Int == 10)

    let known = try projection(asOf + ["--known-at", beforeArrival])
    #expect(known["first_value_at"] is NSNull)
    #expect(known["known_at"] as? String == beforeArrival)

    let beforeOccurrence = try projection(["--account", "late", "--as-of", "2024-01-15T00:00:00Z"])
    #expect(beforeOccurrence["first_value_at"] is NSNull)
  }

  @Test("log lists what was known then")
  func logAtPoint() throws {
    try append([Line.landed("l1", account: "late", at: "2024-01-10T09:00:00Z")])
    let first = try Tierline.run(["--store", store, "log", "late", "--json"])
    let firstStamp = try #require(try first.jsonLines().first?["recorded_at"] as? String)
    try append([
      Line.milestone("m1", account: "late", at: "2024-01-20T09:00:00Z", name: "first_value")
    ])
    func ids(_ options: [String]) throws -> [String] {
      let result = try Tierline.run(["--store", store, "log", "late", "--json"] + options)
      #expect(result.status == 0, "\(result.standardError)")
      return try result.jsonLines().compactMap { $0["id"] as? String }
    }
    #expect(try ids([]) == ["l1", "m1"])
    #expect(try ids(["--known-at", firstStamp]) == ["l1"])
    #expect(try ids(["--as-of", "2024-01-15"]) == ["l1"])
    #expect(try ids(["--as-of", "2024-01-20T09:00:00Z"]) == ["l1", "m1"])
    #expect(try ids(["--as-of", "2024-01-01"]) == [])

    let text = try Tierline.run(["--store", store, "log", "late", "--known-at", firstStamp])
    #expect(text.status == 0, "\(text.standardError)")
    #expect(
      text.standardOutput.hasPrefix(
        "Account late: 1 event of 2 stored, recorded by \(firstStamp)\n"))
    let bad = try Tierline.run(["--store", store, "log", "late", "--as-of", "yesterday"])
    #expect(bad.status == 64)
  }

  @Test("offer before its trigger is marked")
  func offerBeforeTrigger() throws {
    // Starter allows 100,000 API calls a month, and the usage trigger fires at 80%.
    try append([
      Line.landed("o1", account: "eager", at: "2024-03-01T09:00:00Z"),
      Line.usage("o2", account: "eager", at: "2024-03-05T09:00:00Z", quantity: "70000"),
      Line.offered(
        "o3", account: "eager", at: "2024-03-10T09:00:00Z", to: "growth", trigger: "usage"),
      Line.offered("o4", account: "eager", at: "2024-03-11T09:00:00Z", to: "growth", trigger: nil),
    ])
    let before = try Tierline.run(["--store", store, "log", "eager", "--json"])
    let firstStamp = try #require(try before.jsonLines().first?["recorded_at"] as? String)
    func offers(_ options: [String]) throws -> [[String: Any]] {
      let projection = try projection(["--account", "eager", "--as-of", "2024-03-31"] + options)
      return try #require(projection["offers"] as? [[String: Any]])
    }
    let early = try offers([])
    #expect(early.count == 2)
    #expect(early.first?["trigger_fired"] as? Bool == false)
    // An offer that names no trigger gets null.
    #expect(early.last?["trigger_fired"] is NSNull)
    let why = try Tierline.run(["--store", store, "why", "eager", "--at", "2024-03-31"])
    #expect(why.status == 0, "\(why.standardError)")
    #expect(
      why.standardOutput.contains(
        "for the usage trigger, which had not fired, or did not count, by then (open)"))
    #expect(why.standardOutput.contains("offered growth by cs (open)"))

    // Usage that occurred before the offer but arrived later fires the trigger in time,
    // as known after its arrival only.
    try append([
      Line.usage("o5", account: "eager", at: "2024-03-08T09:00:00Z", quantity: "15000")
    ])
    #expect(try offers([]).first?["trigger_fired"] as? Bool == true)
    #expect(try offers(["--known-at", firstStamp]).first?["trigger_fired"] as? Bool == false)

    // Usage at the offer's own instant counts, whatever the order of the two lines.
    for (name, usageFirst) in [("same-a", false), ("same-b", true)] {
      let offer = Line.offered(
        "\(name)-o", account: name, at: "2024-03-10T09:00:00Z", to: "growth", trigger: "usage")
      let usage = Line.usage(
        "\(name)-u", account: name, at: "2024-03-10T09:00:00Z", quantity: "90000")
      // A later event decides the offer while folding; without one the projection does.
      try append(
        [Line.landed("\(name)-l", account: name, at: "2024-03-01T09:00:00Z")]
          + (usageFirst ? [usage, offer] : [offer, usage])
          + [Line.usage("\(name)-v", account: name, at: "2024-03-20T09:00:00Z", quantity: "1")])
      let atOffer = try projection(["--account", name, "--as-of", "2024-03-10T09:00:00Z"])
      let offers = try #require(atOffer["offers"] as? [[String: Any]])
      #expect(offers.first?["trigger_fired"] as? Bool == true, "\(name)")
      let later = try projection(["--account", name, "--as-of", "2024-03-31"])
      let settled = try #require(later["offers"] as? [[String: Any]])
      #expect(settled.first?["trigger_fired"] as? Bool == true, "\(name)")
    }

    // A tier change at the offer's instant, after it, resets the triggers of the offer's
    // tier; the usage before the offer still counts.
    try append([
      Line.landed("t-l", account: "upgraded", at: "2024-03-01T09:00:00Z"),
      Line.usage("t-u", account: "upgraded", at: "2024-03-05T09:00:00Z", quantity: "90000"),
      Line.offered(
        "t-o", account: "upgraded", at: "2024-03-10T09:00:00Z", to: "growth", trigger: "usage"),
      Line.tierChanged(
        "t-c", account: "upgraded", at: "2024-03-10T09:00:00Z", to: "growth", acv: "18000.00"),
      Line.usage("t-v", account: "upgraded", at: "2024-03-20T09:00:00Z", quantity: "1"),
    ])
    for asOf in ["2024-03-10T09:00:00Z", "2024-03-31"] {
      let upgraded = try projection(["--account", "upgraded", "--as-of", asOf])
      let offers = try #require(upgraded["offers"] as? [[String: Any]])
      #expect(offers.first?["trigger_fired"] as? Bool == true, "\(asOf)")
    }
  }

  @Test("why gives the start of readiness")
  func whyReadySince() throws {
    // Ready from the usage trigger on 10 March, closed by the offer of 1 April until it
    // expires 90 days later, on 30 June.
    try append([
      Line.landed("r1", account: "again", at: "2024-03-01T10:00:00Z"),
      Line.usage("r2", account: "again", at: "2024-03-10T10:00:00Z", quantity: "90000"),
      Line.offered(
        "r3", account: "again", at: "2024-04-01T10:00:00Z", to: "growth", trigger: "usage"),
    ])
    func since(_ at: String) throws -> Any? {
      let result = try Tierline.run(["--store", store, "why", "again", "--at", at, "--json"])
      #expect(result.status == 0, "\(result.standardError)")
      return try #require(try result.jsonLines().first)["ready_since"]
    }
    #expect(try since("2024-03-31") as? String == "2024-03-10T10:00:00Z")
    #expect(try since("2024-05-01") is NSNull)
    #expect(try since("2024-12-31") as? String == "2024-06-30T00:00:00Z")

    let text = try Tierline.run(["--store", store, "why", "again", "--at", "2024-12-31"])
    #expect(text.standardOutput.contains("  ready since 2024-06-30T00:00:00Z without a break"))
    // A replay does not compute it.
    let replayed = try projection(["--account", "again", "--as-of", "2024-12-31"])
    #expect(replayed["ready_since"] == nil)
  }

  @Test("money stays exact to the cent")
  func moneyExact() throws {
    try append([
      Line.landed("c1", account: "cents", at: "2024-01-10T09:00:00Z", acv: "144.20"),
      Line.tierChanged(
        "c2", account: "cents", at: "2024-05-10T09:00:00Z", to: "growth",
        acv: "1000.05"),
    ])
    let early = try projection(["--account", "cents", "--as-of", "2024-02-01"])
    #expect(early["acv"] as? String == "144.20")
    let late = try projection(["--account", "cents", "--as-of", "2024-06-01"])
    #expect(late["acv"] as? String == "1000.05")
    let expansions = try #require(late["expansions"] as? [[String: Any]])
    #expect(expansions.first?["acv_delta"] as? String == "855.85")

    let log = try Tierline.run(["--store", store, "log", "cents", "--json"])
    #expect(log.standardOutput.contains("\"acv\":\"144.20\""))
  }

  @Test("check-in due date is local across daylight saving")
  func checkinAcrossDaylightSaving() throws {
    // 23:30 on 20 February in New York is already 21 February in UTC.
    try append([
      Line.landed("d1", account: "ny", at: "2024-02-20T23:30:00-05:00", zone: "America/New_York")
    ])
    let view = try projection(["--account", "ny", "--as-of", "2024-03-01"])
    let checkin = try #require(view["checkin"] as? [String: Any])
    #expect(checkin["due_on"] as? String == "2024-04-20")
    #expect(checkin["status"] as? String == "upcoming")

    let due = try Tierline.run(["--store", store, "due", "--on", "2024-04-20", "--json"])
    #expect(due.status == 0)
    let rows = try due.jsonLines()
    #expect(rows.count == 1)
    #expect(rows.first?["status"] as? String == "due")
  }

  @Test("due leaves out churned accounts")
  func dueWithoutChurned() throws {
    try append([
      Line.landed("c1", account: "kept", at: "2024-01-10T09:00:00Z"),
      Line.landed("c2", account: "gone", at: "2024-01-10T09:00:00Z"),
      Line.churned("c3", account: "gone", at: "2024-02-01T09:00:00Z"),
    ])
    // Both check-ins fell due on 10 March and are overdue by 1 April.
    let view = try projection(["--account", "gone", "--as-of", "2024-04-01"])
    #expect(view["status"] as? String == "churned")
    let checkin = try #require(view["checkin"] as? [String: Any])
    #expect(checkin["status"] as? String == "overdue")

    let due = try Tierline.run(["--store", store, "due", "--on", "2024-04-01", "--json"])
    #expect(due.status == 0, "\(due.standardError)")
    let rows = try due.jsonLines()
    #expect(rows.map { $0["account"] as? String } == ["kept"])
    #expect(rows.first?["status"] as? String == "overdue")
  }

  @Test("due date counts events of the local day")
  func dueOnLocalDay() throws {
    // 11:00 UTC on 2 March is already 3 March in Kiritimati (UTC+14), and 01:00 UTC on
    // 1 March is still 28 February in Pago Pago (UTC-11).
    try append([
      Line.landed("e1", account: "east", at: "2024-12-31T10:30:00Z", zone: "Pacific/Kiritimati"),
      Line.checkinCompleted("e2", account: "east", at: "2025-03-02T11:00:00Z"),
      Line.landed(
        "e3", account: "east-churn", at: "2024-12-31T10:30:00Z", zone: "Pacific/Kiritimati"),
      Line.churned("e4", account: "east-churn", at: "2025-03-02T11:00:00Z"),
      Line.landed("w1", account: "west", at: "2025-01-01T10:30:00Z", zone: "Pacific/Pago_Pago"),
      Line.checkinCompleted("w2", account: "west", at: "2025-03-01T01:00:00Z"),
    ])
    let east = try Tierline.run(["--store", store, "due", "--on", "2025-03-02", "--json"])
    #expect(east.status == 0, "\(east.standardError)")
    let eastRows = try east.jsonLines()
    #expect(eastRows.map { $0["account"] as? String } == ["east", "east-churn"])
    #expect(eastRows.map { $0["status"] as? String } == ["due", "due"])

    let west = try Tierline.run(
      ["--store", store, "due", "--on", "2025-02-28", "--within", "1", "--json"])
    #expect(west.status == 0, "\(west.standardError)")
    #expect(try west.jsonLines().isEmpty)
  }

  @Test("due lists the chosen statuses")
  func dueStatusFilter() throws {
    // Due on 2024-03-10 and 2024-04-10, with the playbook's due window of 7 days.
    try append([
      Line.landed("s1", account: "old", at: "2024-01-10T09:00:00Z"),
      Line.landed("s2", account: "new", at: "2024-02-10T09:00:00Z"),
    ])
    let all = try Tierline.run(["--store", store, "due", "--on", "2024-04-05", "--json"])
    #expect(try all.jsonLines().map { $0["status"] as? String } == ["overdue", "upcoming"])
    let upcoming = try Tierline.run([
      "--store", store, "due", "--on", "2024-04-05", "--status", "upcoming", "--json",
    ])
    #expect(try upcoming.jsonLines().map { $0["account"] as? String } == ["new"])
    let invalid = try Tierline.run(["--store", store, "due", "--status", "late"])
    #expect(invalid.status == 64)
    #expect(invalid.standardError.contains("--status (late)"))
  }

  @Test("text check-in shows local completion day")
  func localCompletionDay() throws {
    // 01:00 UTC on 1 March is still 28 February in Pago Pago (UTC-11).
    try append([
      Line.landed("w1", account: "west", at: "2025-01-01T10:30:00Z", zone: "Pacific/Pago_Pago"),
      Line.checkinCompleted("w2", account: "west", at: "2025-03-01T01:00:00Z"),
    ])
    let result = try Tierline.run(["--store", store, "replay", "--as-of", "2025-04-01"])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput.contains("done 2025-02-28"), "\(result.standardOutput)")
  }

  @Test("why notes a date's local end")
  func whyLocalDayNote() throws {
    try append([
      Line.landed("n1", account: "ber", at: "2024-01-10T09:00:00Z", zone: "Europe/Berlin"),
      Line.landed("n2", account: "utc", at: "2024-01-10T09:00:00Z"),
      Line.landed("n3", account: "apia", at: "2011-11-01T09:00:00Z", zone: "Pacific/Apia"),
      Line.landed("n4", account: "ny", at: "2024-01-10T09:00:00Z", zone: "America/New_York"),
      Line.landed("n5", account: "stj", at: "2009-09-01T12:00:00Z", zone: "America/St_Johns"),
      Line.landed("n6", account: "la", at: "9999-01-01T12:00:00Z", zone: "America/Los_Angeles"),
    ])
    let berlin = try Tierline.run(["--store", store, "why", "ber", "--at", "2024-06-30"])
    #expect(berlin.status == 0, "\(berlin.standardError)")
    #expect(
      berlin.standardOutput.contains(
        "is already 2024-07-01 in Europe/Berlin; for the end of 2024-06-30 there, give --at "
          + "2024-06-30T21:59:59.999999Z"), "\(berlin.standardOutput)")

    // In New York the local day still has four hours to run.
    let newYork = try Tierline.run(["--store", store, "why", "ny", "--at", "2024-06-30"])
    #expect(
      newYork.standardOutput.contains(
        "is still 2024-06-30, before its end, in America/New_York; for the end of 2024-06-30 "
          + "there, give --at 2024-07-01T03:59:59.999999Z"), "\(newYork.standardOutput)")

    // St. John's set its clocks back from 00:01 to 23:01 on 1 November 2009, so 31
    // October ended at the second midnight.
    let stJohns = try Tierline.run(["--store", store, "why", "stj", "--at", "2009-10-31"])
    #expect(
      stJohns.standardOutput.contains("give --at 2009-11-01T03:29:59.999999Z"),
      "\(stJohns.standardOutput)")

    // West of UTC the last day of year 9999 ends after the latest time a ledger takes.
    let last = try Tierline.run(["--store", store, "why", "la", "--at", "9999-12-31"])
    #expect(last.standardOutput.contains("in America/Los_Angeles\n"), "\(last.standardOutput)")
    #expect(!last.standardOutput.contains("give --at"))

    // Samoa moved across the date line and skipped 30 December 2011.
    let skipped = try Tierline.run(["--store", store, "why", "apia", "--at", "2011-12-30"])
    #expect(
      skipped.standardOutput.contains("which has no 2011-12-30: the zone skipped that day"),
      "\(skipped.standardOutput)")

    let utc = try Tierline.run(["--store", store, "why", "utc", "--at", "2024-06-30"])
    #expect(!utc.standardOutput.contains("note:"), "\(utc.standardOutput)")
    let timed = try Tierline.run(
      ["--store", store, "why", "ber", "--at", "2024-06-30T12:00:00Z"])
    #expect(!timed.standardOutput.contains("note:"), "\(timed.standardOutput)")
  }

  @Test("future known-at is the latest write")
  func futureKnownAt() throws {
    try append([Line.landed("k1", account: "k", at: "2024-01-10T09:00:00Z")])
    let latest = try Tierline.run(["--store", store, "replay", "--json", "--account", "k"])
    let future = try Tierline.run([
      "--store", store, "replay", "--json", "--account", "k", "--known-at", "9999-12-31",
    ])
    #expect(future.status == 0, "\(future.standardError)")
    let printed = try #require(try future.jsonLines().first?["known_at"] as? String)
    #expect(printed == (try latest.jsonLines().first?["known_at"] as? String))
    #expect(!printed.hasPrefix("9999"))
    #expect(
      future.standardError.contains(
        "note: --known-at 9999-12-31T23:59:59.999999Z is after the latest write, so the output "
          + "is as known at \(printed)"),
      "\(future.standardError)")
    #expect(!latest.standardError.contains("note:"), "\(latest.standardError)")
  }

  @Test("valid-time option names the other spelling")
  func validTimeSpelling() throws {
    let explained = try Tierline.run(["--store", store, "why", "acme", "--as-of", "2024-02-01"])
    #expect(explained.status == 64)
    #expect(
      explained.standardError.contains("why takes the valid time as --at"),
      "\(explained.standardError)")
    let replay = try Tierline.run(["--store", store, "replay", "--at", "2024-02-01"])
    #expect(replay.status == 64)
    #expect(replay.standardError.contains("as --as-of"), "\(replay.standardError)")
    let replayOn = try Tierline.run(["--store", store, "replay", "--on", "2024-02-01"])
    #expect(replayOn.status == 64)
    #expect(replayOn.standardError.contains("as --as-of"), "\(replayOn.standardError)")
    let due = try Tierline.run(["--store", store, "due", "--as-of", "2024-02-01"])
    #expect(due.status == 64)
    #expect(
      due.standardError.contains("due takes the date as --on"), "\(due.standardError)")
    // A short prefix is no guess: `--o` could be meant for any option.
    let prefix = try Tierline.run(["--store", store, "replay", "--o", "x"])
    #expect(prefix.status == 64)
    #expect(!prefix.standardError.contains("valid time"), "\(prefix.standardError)")
  }

  @Test("why names ignored events")
  func whyNamesIgnoredEvents() throws {
    try append([
      Line.usage("i1", account: "early", at: "2024-01-05T09:00:00Z"),
      Line.landed("i2", account: "early", at: "2024-01-10T09:00:00Z"),
      Line.landed("i3", account: "early", at: "2024-01-12T09:00:00Z"),
      Line.usage("i4", account: "never", at: "2024-01-05T09:00:00Z"),
      Line.checkinCompleted("i5", account: "early", at: "2024-01-13T09:00:00Z", kind: "60-day"),
      Line.checkinCompleted("i6", account: "early", at: "2024-01-14T09:00:00Z", kind: "60-day"),
      #"{"id":"i7","type":"account.churned","account":"early","occurred_at":"2024-01-15T09:00:00Z","data":{}}"#,
      Line.usage("i8", account: "early", at: "2024-01-16T09:00:00Z"),
    ])
    let landed = try Tierline.run(["--store", store, "why", "early", "--at", "2024-02-01"])
    #expect(landed.status == 0, "\(landed.standardError)")
    #expect(landed.standardOutput.contains("ignored: 1 event before the first landing"))
    #expect(
      landed.standardOutput.contains(
        "ignored, as they changed nothing: 1 landing while active, 2 check-ins of a kind the "
          + "rules do not schedule, 1 event while churned"),
      "\(landed.standardOutput)")

    let stuck = try Tierline.run(["--store", store, "why", "never", "--at", "2024-02-01"])
    #expect(stuck.status == 0, "\(stuck.standardError)")
    #expect(stuck.standardOutput.contains("ignored: 1 event before the first landing"))
  }

  @Test("why names the rules and every trigger")
  func whyExplains() throws {
    try append([
      Line.landed("w1", account: "why", at: "2024-01-10T09:00:00Z"),
      Line.usage("w2", account: "why", at: "2024-02-05T09:00:00Z", quantity: "85000"),
    ])
    let result = try Tierline.run(["--store", store, "why", "why", "--at", "2024-02-10"])
    #expect(result.status == 0, "\(result.standardError)")
    #expect(result.standardOutput.contains("rules sha256:"))
    #expect(result.standardOutput.contains("READY"))
    for trigger in ["usage", "milestone", "time", "organizational"] {
      #expect(result.standardOutput.contains("  \(trigger): "), "\(trigger)")
    }
    let missing = try Tierline.run(["--store", store, "why", "nobody"])
    #expect(missing.status == 1)
    #expect(missing.standardError.contains("nobody"))
  }

  @Test("usage errors exit 64")
  func usageErrors() throws {
    let unknown = try Tierline.run(["--store", store, "replay", "--bogus"])
    #expect(unknown.status == 64)
    let badTime = try Tierline.run(["--store", store, "replay", "--as-of", "yesterday"])
    #expect(badTime.status == 64)
    #expect(badTime.standardError.contains("yesterday"))
    let noOffset = try Tierline.run(
      ["--store", store, "replay", "--as-of", "2025-06-30T12:00:00"])
    #expect(noOffset.status == 64)
    #expect(noOffset.standardError.contains("has no offset"))
    let help = try Tierline.run(["replay", "--help"])
    #expect(help.status == 0)
    #expect(help.standardOutput.contains("--known-at"))
    let noThreads = try Tierline.run(["--store", store, "replay", "--threads", "0"])
    #expect(noThreads.status == 64)
    #expect(noThreads.standardError.contains("threads"))
    let threadsForOne = try Tierline.run(
      ["--store", store, "replay", "--account", "a", "--threads", "2"])
    #expect(threadsForOne.status == 64)
    #expect(threadsForOne.standardError.contains("--account"))
  }

  @Test("store path naming a file")
  func storeIsFile() throws {
    let file = directory.path("not-a-ledger")
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    let result = try Tierline.run(["--store", file, "replay"])
    #expect(result.status == 1)
    #expect(result.standardError.contains("is a file, not a ledger directory"))
  }

  @Test("empty replay says nothing is visible")
  func emptyReplayHint() throws {
    try append([Line.landed("e1", account: "early", at: "2024-01-10T09:00:00Z")])
    let before = try Tierline.run(["--store", store, "replay", "--as-of", "2024-01-01"])
    #expect(before.status == 0, "\(before.standardError)")
    #expect(before.standardOutput.contains("0 accounts\nno event is visible"))

    let after = try Tierline.run(["--store", store, "replay", "--as-of", "2024-02-01"])
    #expect(after.standardOutput.contains("1 account\n"))
    #expect(!after.standardOutput.contains("no event is visible"))
  }

  @Test("default known-at is the latest write")
  func defaultKnownAt() throws {
    try append([Line.landed("k1", account: "known", at: "2024-01-10T09:00:00Z")])
    let logged = try Tierline.run(["--store", store, "log", "known", "--json"])
    #expect(logged.status == 0, "\(logged.standardError)")
    let recordedAt = try #require(try logged.jsonLines().first?["recorded_at"] as? String)

    let first = try Tierline.run(["--store", store, "replay", "--json", "--as-of", "2024-06-01"])
    #expect(first.status == 0, "\(first.standardError)")
    let projection = try #require(try first.jsonLines().first)
    #expect(projection["known_at"] as? String == recordedAt)
    // Asked again at the time it printed, the replay gives the same bytes.
    let again = try Tierline.run(
      ["--store", store, "replay", "--json", "--as-of", "2024-06-01", "--known-at", recordedAt])
    #expect(again.standardOutput == first.standardOutput)

    // A rules activation after the append takes a later stamp, and the default includes it.
    let playbook = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("playbooks/default.json").path
    let activated = try Tierline.run(["--store", store, "rules", "activate", playbook])
    #expect(activated.status == 0, "\(activated.standardError)")
    let later = try Tierline.run(["--store", store, "replay", "--json", "--as-of", "2024-06-01"])
    let laterKnownAt = try #require(try later.jsonLines().first?["known_at"] as? String)
    #expect(laterKnownAt > recordedAt)
  }

  @Test("threads give the same lines")
  func threadsSameOutput() throws {
    try appendGenerated(accounts: 30, seed: 2)

    let point = ["--as-of", "2030-01-01", "--known-at", "2100-01-01"]
    let single = try Tierline.run(["--store", store, "replay", "--json"] + point)
    #expect(single.status == 0, "\(single.standardError)")
    #expect(single.lines.count == 30)
    for threads in ["2", "3"] {
      let parallel = try Tierline.run(
        ["--store", store, "replay", "--json", "--threads", threads] + point)
      #expect(parallel.status == 0, "\(parallel.standardError)")
      #expect(parallel.standardOutput == single.standardOutput, "\(threads) threads")
    }
  }
}
