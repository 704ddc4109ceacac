import TierlineEvents
import TierlinePlaybook

/// The JSON form of an `AccountProjection`.
///
/// Keys appear in a fixed order meant for people: identity and view times, status and
/// money, triggers, readiness, the next step, the check-in, then history. Output is
/// compact UTF-8, so equal projections always give equal bytes.
public enum ProjectionJSON {
  /// Encodes a projection as deterministic compact JSON.
  public static func encode(_ projection: AccountProjection) -> [UInt8] {
    value(of: projection).serialized(sortingKeys: false)
  }

  /// Returns the projection as an ordered JSON value.
  public static func value(of p: AccountProjection) -> JSONValue {
    .object([
      ("account", .string(p.account)),
      ("as_of", .string(p.asOf)),
      ("known_at", .string(p.knownAt)),
      ("rules_version", .string(p.rulesVersion)),
      ("status", .string(p.status)),
      ("tier", .string(or: p.tier)),
      ("acv", .string(or: p.acv)),
      ("currency", .string(or: p.currency)),
      ("landed_at", .string(or: p.landedAt)),
      ("timezone", .string(or: p.timeZone)),
      ("first_value_at", .string(or: p.firstValueAt)),
      ("ttfv_days", p.ttfvDays.map { .number(String($0)) } ?? .null),
      ("triggers", .array(p.triggers.map(value(of:)))),
      ("ready", .bool(p.ready)),
      ("readiness", .array(p.readiness.map(value(of:)))),
      ("next_tier", .string(or: p.nextTier)),
      ("owner", .string(or: p.owner)),
      ("price", .string(or: p.price)),
      ("value_proposition", .string(or: p.valueProposition)),
      ("checkin", p.checkin.map(value(of:)) ?? .null),
      ("expansions", .array(p.expansions.map(value(of:)))),
      ("offers", .array(p.offers.map(value(of:)))),
      ("reactivations", .array(p.reactivations.map(JSONValue.string))),
      ("events_before_landing", .number(String(p.eventsBeforeLanding))),
      ("events_ignored", .number(String(p.eventsIgnored))),
    ])
  }

  private static func value(of trigger: TriggerReport) -> JSONValue {
    .object([
      ("type", .string(trigger.type)),
      ("fired", .bool(trigger.fired)),
      ("fired_at", .string(or: trigger.firedAt)),
      ("conditions", .array(trigger.conditions.map(value(of:)))),
    ])
  }

  private static func value(of condition: Condition) -> JSONValue {
    .object([
      ("name", .string(condition.name)),
      ("actual", .string(condition.actual)),
      ("required", .string(condition.required)),
      ("met", .bool(condition.met)),
    ])
  }

  private static func value(of checkin: CheckinReport) -> JSONValue {
    .object([
      ("due_on", .string(checkin.dueOn)),
      ("status", .string(checkin.status)),
      ("completed_at", .string(or: checkin.completedAt)),
    ])
  }

  private static func value(of expansion: ExpansionReport) -> JSONValue {
    let offer: JSONValue =
      expansion.offer.map { offer in
        .object([
          ("at", .string(offer.at)),
          ("by", .string(offer.by)),
          ("trigger", .string(or: offer.trigger)),
        ])
      } ?? .null
    return .object([
      ("at", .string(expansion.at)),
      ("from", .string(expansion.from)),
      ("to", .string(expansion.to)),
      ("acv_delta", .string(expansion.acvDelta)),
      ("attributed_to", .array(expansion.attributedTo.map(JSONValue.string))),
      ("offer", offer),
    ])
  }

  private static func value(of offer: OfferReport) -> JSONValue {
    .object([
      ("at", .string(offer.at)),
      ("to", .string(offer.to)),
      ("by", .string(offer.by)),
      ("trigger", .string(or: offer.trigger)),
      ("open", .bool(offer.open)),
    ])
  }
}

extension JSONValue {
  /// A string value, or `null` when `text` is nil.
  fileprivate static func string(or text: String?) -> JSONValue {
    text.map(JSONValue.string) ?? .null
  }
}
