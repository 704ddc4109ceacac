import TierlineEvents
import TierlinePlaybook

/// A fold of one account's events, which a replay feeds in fold order: occurred time,
/// then log position, cut at the replay's valid and transaction time.
///
/// A full replay reads most usage records without building an `Event` and hands them to
/// `applyUsage`. Every other record goes to `apply(_:occurredAt:position:)`, including a
/// usage record that the replay could not read that way. Neither gets the event's id or
/// account: a fold belongs to one account, and no fold reads the id.
public protocol AccountEventFold: SendableMetatype {
  /// Applies one event of any type, given by its content and its occurred time in µs.
  mutating func apply(_ payload: Payload, occurredAt: Int64, position: UInt64)
  /// Applies one `usage.recorded` event given by its fields, as `apply` would apply the
  /// whole event.
  mutating func applyUsage(metric: String, millionths: Int64, occurredAt: Int64, position: UInt64)
  /// Applies one `usage.recorded` event whose metric is `names[metric]`, as
  /// `applyUsage(metric:millionths:occurredAt:position:)` would. Every call on one fold
  /// must pass the same `names`, because a fold may remember what each number stands for.
  mutating func applyUsage(
    metric: Int, of names: [String], millionths: Int64, occurredAt: Int64, position: UInt64)
}

extension AccountEventFold {
  /// Applies the event by its metric's name, for folds that keep nothing per metric
  /// number.
  public mutating func applyUsage(
    metric: Int, of names: [String], millionths: Int64, occurredAt: Int64, position: UInt64
  ) {
    applyUsage(
      metric: names[metric], millionths: millionths, occurredAt: occurredAt, position: position)
  }
}

extension AccountEventFold {
  /// Applies one event of any type.
  public mutating func apply(_ event: Event, position: UInt64) {
    apply(event.payload, occurredAt: event.occurredAt.microseconds, position: position)
  }
}

extension AccountState: AccountEventFold {}
