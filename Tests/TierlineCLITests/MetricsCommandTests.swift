import Foundation
import Testing

@Suite("tierline metrics")
struct MetricsCommandTests {
  let asOf = ["--as-of", "2025-08-01T00:00:00Z"]

  @Test("exact figures of a cohort")
  func exactFigures() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let metrics = try ledger.json(["metrics"] + asOf)
    #expect(metrics["expected_acv"] as? String == "11400.00")
    #expect(metrics["landing_acv"] as? String == "6000.00")
    #expect(metrics["max_cac"] as? String == "7200.00")
    #expect(metrics["expansion_rate_12m"] as? String == "0.3000")
    #expect(metrics["nrr"] as? String == "0.8421")
    // First value after 10 and 45 days: the median is their mean.
    #expect(metrics["ttfv_days_median"] as? Double == 27.5)
    #expect(metrics["accounts"] as? Int == 10)
    let payback = try #require(metrics["cac_payback_months"] as? [String: Any])
    #expect(payback["landing_acv"] as? String == "18.00")
    #expect(payback["expected_acv"] as? String == "9.47")
    let small = try #require(metrics["permanently_small"] as? [String: Any])
    #expect(small["count"] as? Int == 6)
    #expect((small["accounts"] as? [Any])?.count == 6)
    let version = try #require(metrics["rules_version"] as? String)
    #expect(version.hasPrefix("sha256:"))
  }

  @Test("threads give the same output")
  func threadsSameOutput() throws {
    let generated = try Tierline.run(["generate", "--accounts", "40", "--seed", "3"])
    #expect(generated.status == 0, "\(generated.standardError)")
    let ledger = try CLILedger(generated.lines)

    // The candidate for `rules diff` lowers the usage threshold of the rules in force.
    let point = ["--as-of", "2026-01-01", "--known-at", "2100-01-01"]
    let directory = try TemporaryDirectory()
    let candidate = directory.path("candidate.json")
    let listed = try ledger.run(["rules", "list"])
    let version = try #require(
      listed.standardOutput.split(separator: " ").first { $0.hasPrefix("sha256:") })
    let playbook = try ledger.run(["rules", "show", String(version)])
    #expect(playbook.standardOutput.contains(#""threshold":"0.8""#))
    try playbook.standardOutput.replacingOccurrences(
      of: #""threshold":"0.8""#, with: #""threshold":"0.5""#
    )
    .write(toFile: candidate, atomically: false, encoding: .utf8)
    let commands = [
      ["metrics", "--json"], ["metrics"], ["rules", "diff", candidate, "--json"],
      ["missed", "--json"],
      ["report", "--html", directory.path("report.html")],
    ]
    for command in commands {
      let single = try ledger.run(command + point)
      let report =
        command.first == "report" ? try String(contentsOfFile: command[2], encoding: .utf8) : ""
      for threads in ["2", "3"] {
        let parallel = try ledger.run(command + point + ["--threads", threads])
        #expect(parallel.standardOutput == single.standardOutput, "\(command) on \(threads)")
        if command.first == "report" {
          #expect(
            try String(contentsOfFile: command[2], encoding: .utf8) == report,
            "report on \(threads)")
        }
      }
    }
  }

  @Test("thread count above processors noted")
  func threadCountCapNote() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let directory = try TemporaryDirectory()
    let candidate = try candidatePlaybook(in: directory)
    let processors = max(1, ProcessInfo.processInfo.activeProcessorCount)
    let commands = [
      ["replay"], ["metrics"], ["missed"], ["report", "--html", directory.path("report.html")],
      ["rules", "diff", candidate],
    ]
    for command in commands {
      // 256 is the largest count --threads accepts.
      let capped = try ledger.run(command + asOf + ["--threads", "256"])
      let expected =
        processors < 256
        ? "note: --threads 256 runs on \(processors) thread\(processors == 1 ? "" : "s"), "
          + "one per processor\n"
        : ""
      #expect(capped.standardError == expected, "\(command)")

      let within = try ledger.run(command + asOf + ["--threads", "1"])
      #expect(within.standardError.isEmpty, "\(command)")
    }
  }

  @Test("options change CAC figures")
  func options() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let metrics = try ledger.json(
      [
        "metrics", "--cac", "3800", "--gross-margin", "0.5", "--payback-months", "12",
        "--cohort", "quarter", "--small-after-months", "24",
      ] + asOf)
    #expect(metrics["max_cac"] as? String == "3000.00")
    #expect(metrics["cac"] as? String == "3800.00")
    let payback = try #require(metrics["cac_payback_months"] as? [String: Any])
    // 3800 / (6000 × 0.5 / 12) = 15.2 and 3800 / (11400 × 0.5 / 12) = 8.
    #expect(payback["landing_acv"] as? String == "15.20")
    #expect(payback["expected_acv"] as? String == "8.00")
    let cohorts = try #require(metrics["cohorts"] as? [[String: Any]])
    #expect(cohorts.map { $0["cohort"] as? String } == ["2024-Q1"])
    let small = try #require(metrics["permanently_small"] as? [String: Any])
    #expect(small["count"] as? Int == 0)
  }

  @Test("CAC places follow the currency")
  func cacPlaces() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let cents = try ledger.json(["metrics", "--cac", "3800.25"] + asOf)
    #expect(cents["cac"] as? String == "3800.25")

    let mills = try Tierline.run(["--store", ledger.store, "metrics", "--cac", "3800.255"])
    #expect(mills.status == 64)
    #expect(mills.standardError.contains("has 3 decimal places; USD allows 2"))
  }

  @Test("invalid margin is a usage error")
  func invalidMargin() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let result = try Tierline.run(["--store", ledger.store, "metrics", "--gross-margin", "1.5"])
    #expect(result.status == 64)
    #expect(result.standardError.contains("--gross-margin"))
  }

  @Test("empty portfolio has no money figures")
  func emptyPortfolio() throws {
    let directory = try TemporaryDirectory()
    let store = try Tierline.initializedStore(in: directory)
    let result = try Tierline.run(["--store", store, "metrics", "--json"] + asOf)
    #expect(result.status == 0, "\(result.standardError)")
    let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    let metrics = try #require(object as? [String: Any])
    for key in ["expected_acv", "landing_acv", "max_cac", "cac"] {
      #expect(metrics[key] is NSNull, "\(key)")
    }
    let withCAC = try Tierline.run(
      ["--store", store, "metrics", "--json", "--cac", "100"] + asOf)
    let withCACObject = try JSONSerialization.jsonObject(with: Data(withCAC.standardOutput.utf8))
    #expect((withCACObject as? [String: Any])?["cac"] as? String == "100.00")

    let text = try Tierline.run(["--store", store, "metrics"] + asOf).standardOutput
    #expect(text.contains("Expected ACV:        -  (landing ACV -)"), "\(text)")
    #expect(
      text.contains("Accounts landed: 0 (no landing had both occurred by the as-of time"),
      "\(text)")
  }

  @Test("text output names the rules")
  func textOutput() throws {
    let ledger = try CLILedger(januaryCohortLines)
    let result = try ledger.run(["metrics"] + asOf)
    #expect(result.standardOutput.contains("Expected ACV:        11400.00 USD"))
    #expect(result.standardOutput.contains("rules sha256:"))
    #expect(result.standardOutput.contains("\ncomplete: 24m when every account of the cohort"))
  }

  @Test("text output counts one account singly")
  func singularCounts() throws {
    let ledger = try CLILedger([Line.landed("a-l", account: "a", at: "2024-01-05T10:00:00Z")])
    let text = try ledger.run(["metrics"] + asOf).standardOutput
    #expect(text.contains("100.0%  1 account at 6000.00"), "\(text)")
    #expect(text.contains("TTFV none   1 account,"), "\(text)")
    #expect(text.contains("from 0 expansions,"), "\(text)")
    #expect(!text.contains(" 1 accounts"), "\(text)")
  }
}
