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

  /// Formats the texts of a projection at valid time `asOf` and transaction time
  /// `knownAt`, and the condition names of `playbook`'s time offsets when it is given.
  public init(asOf: Timestamp, knownAt: Timestamp, playbook: Playbook? = nil) {
    self.asOf = asOf
    self.knownAt = knownAt
    asOfText = asOf.rfc3339
    knownAtText = knownAt.rfc3339
    waitRequirement = "ends by " + asOfText
    windowEnd = ", to " + asOfText
    offsetNames = (playbook?.triggers.timeOffsetsDays ?? []).map { ($0, Self.offsetName($0)) }
  }

  /// Returns the name of the time offset's condition for `days` after the landing.
  func offsetName(_ days: Int) -> String {
    offsetNames.first { $0.days == days }?.name ?? Self.offsetName(days)
  }

  private static func offsetName(_ days: Int) -> String {
    "day " + String(days) + " after landing"
  }
}
