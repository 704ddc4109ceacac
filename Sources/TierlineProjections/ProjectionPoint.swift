import TierlineEvents
import TierlinePlaybook

/// The instants a projection describes, with the texts that every projection at those
/// instants repeats.
///
/// A replay folds every account to the same point, so it formats these texts once and
/// each projection shares them instead of formatting and allocating its own.
public struct ProjectionPoint: Sendable {
  /// The valid time the projection describes.
  public let asOf: Timestamp
  /// The transaction time the projection describes.
  public let knownAt: Timestamp
  /// `asOf` in RFC 3339.
  let asOfText: String
  /// `knownAt` in RFC 3339.
  let knownAtText: String
  /// The requirement of the wait condition: its end by `asOf`.
  let waitRequirement: String
  /// The end of the time trigger's window text: ", to " and `asOf`.
  let windowEnd: String
  /// The name of each time offset's condition, for the offsets of the playbook given.
  private let offsetNames: [(days: Int, name: String)]
  /// The month of `asOf` in UTC, which is the current month of most accounts.
  private let month: UsageMonth
  /// The name of each metric's condition in `month`, for the metrics of the playbook given.
  private let metricNames: [(metric: String, name: String)]

  /// Formats the texts of a projection at valid time `asOf` and transaction time
  /// `knownAt`, and the condition names of `playbook`'s triggers when it is given.
  public init(asOf: Timestamp, knownAt: Timestamp, playbook: Playbook? = nil) {
    self.asOf = asOf
    self.knownAt = knownAt
    asOfText = asOf.rfc3339
    knownAtText = knownAt.rfc3339
    waitRequirement = "ends by " + asOfText
    windowEnd = ", to " + asOfText
    offsetNames = (playbook?.triggers.timeOffsetsDays ?? []).map { ($0, Self.offsetName($0)) }
    month = UsageMonth(containing: ZoneCalendar.utc.localDate(of: asOf))
    // Names are compared by their bytes, as the playbook stores them. String equality
    // would take "café" in NFC and in NFD for one name and print the other's bytes.
    var metrics: [String] = []
    for tier in playbook?.tiers ?? [] {
      for limit in tier.limits where !metrics.contains(where: { sameBytes($0, limit.metric) }) {
        metrics.append(limit.metric)
      }
    }
    metricNames = metrics.map { [month] in ($0, Self.usageName($0, month)) }
  }

  /// Returns the name of the time offset's condition for `days` after the landing.
  func offsetName(_ days: Int) -> String {
    offsetNames.first { $0.days == days }?.name ?? Self.offsetName(days)
  }

  /// Returns the name of the usage condition for `metric` in `month`.
  func usageName(_ metric: String, in month: UsageMonth) -> String {
    guard month == self.month,
      let known = metricNames.first(where: { sameBytes($0.metric, metric) })
    else { return Self.usageName(metric, month) }
    return known.name
  }

  private static func offsetName(_ days: Int) -> String {
    "day " + String(days) + " after landing"
  }

  private static func usageName(_ metric: String, _ month: UsageMonth) -> String {
    metric + " in " + month.description
  }
}

/// Returns whether two strings have the same UTF-8 bytes, unlike `==`, which compares
/// canonical equivalence.
private func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
  guard lhs.utf8.count == rhs.utf8.count else { return false }
  // Two buffers of contiguous bytes compare faster than two iterated string views.
  var left = lhs
  var right = rhs
  return left.withUTF8 { leftBytes in
    right.withUTF8 { rightBytes in
      leftBytes.elementsEqual(rightBytes)
    }
  }
}
