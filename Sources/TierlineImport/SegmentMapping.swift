import TierlineEvents

/// The mapping file of `tierline import segment`: what each `track` event name means.
///
/// `{"version": 1, "events": {"API Call": {"usage": "api_calls", "quantity_property":
/// "count"}, "Dashboard Shared": {"milestone": "first_value"}}}`. A usage event records
/// the named metric with the quantity in the given property, or 1 without one.
public struct SegmentMapping: Sendable {
  /// The event that one `track` event name becomes.
  public enum Target: Sendable, Hashable {
    /// A `usage.recorded` of the metric; the quantity comes from the property, or is 1.
    case usage(metric: String, quantityProperty: String?)
    /// A `milestone.reached`.
    case milestone(String)
  }

  /// Targets by `track` event name.
  public var events: [String: Target]

  /// The mapping format version that this type reads.
  public static let formatVersion = 1

  /// Creates a mapping from targets by event name.
  public init(events: [String: Target]) {
    self.events = events
  }

  /// Parses a mapping file.
  /// - Throws: `ImportSetupError` naming the entry that is invalid.
  public init(json bytes: [UInt8]) throws(ImportSetupError) {
    let root: JSONValue
    do {
      root = try JSONValue.parse(bytes)
    } catch {
      throw ImportSetupError("the Segment mapping is not valid JSON: \(error)")
    }
    guard root.integer(at: "version") == Int64(SegmentMapping.formatVersion) else {
      throw ImportSetupError(
        "the Segment mapping needs \"version\": \(SegmentMapping.formatVersion)")
    }
    guard let members = root["events"]?.objectMembers else {
      throw ImportSetupError(
        "the Segment mapping needs \"events\": an object from event name to "
          + "{\"usage\": METRIC} or {\"milestone\": NAME}")
    }
    if let unknown = root.objectMembers?.first(where: { !["version", "events"].contains($0.key) }) {
      throw ImportSetupError(
        "the Segment mapping has an unknown key \(jsonQuoted(unknown.key)); expected version "
          + "and events")
    }
    var events: [String: Target] = [:]
    for (name, entry) in members {
      let keys = entry.objectMembers?.map(\.key) ?? []
      if let unknown = keys.first(where: {
        !["usage", "quantity_property", "milestone"].contains($0)
      }) {
        throw ImportSetupError(
          "the Segment mapping's entry \(jsonQuoted(name)) has an unknown key "
            + "\(jsonQuoted(unknown)); expected usage, quantity_property or milestone")
      }
      let metric = entry.string(at: "usage")
      let milestone = entry.string(at: "milestone")
      switch (metric, milestone) {
      case (let metric?, nil):
        events[name] = .usage(
          metric: metric, quantityProperty: entry.string(at: "quantity_property"))
      case (nil, let milestone?):
        events[name] = .milestone(milestone)
      default:
        throw ImportSetupError(
          "the Segment mapping's entry \(jsonQuoted(name)) needs exactly one of "
            + "\"usage\" (a metric) and \"milestone\" (a milestone name)")
      }
    }
    self.events = events
  }
}
