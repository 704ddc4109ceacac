import TierlineEvents
import TierlinePlaybook

/// The JSON form of an `AccountProjection`.
///
/// Keys appear in a fixed order meant for people: identity and view times, status and
/// money, triggers, readiness, the next step, the check-in, then history. Output is
/// compact UTF-8, so equal projections always give equal bytes.
public enum ProjectionJSON {
  /// Encodes a projection as deterministic compact JSON.
  ///
  /// The bytes are written directly, with no intermediate JSON value, because a replay
  /// prints every account's projection.
  public static func encode(_ projection: AccountProjection) -> [UInt8] {
    var json = JSONByteWriter(capacity: 4096)
    json.beginObject()
    json.key("account")
    json.string(projection.account)
    json.key("as_of")
    json.string(projection.asOf)
    json.key("known_at")
    json.string(projection.knownAt)
    json.key("rules_version")
    json.string(projection.rulesVersion)
    json.key("status")
    json.string(projection.status)
    json.key("tier")
    json.string(projection.tier)
    json.key("acv")
    json.string(projection.acv)
    json.key("currency")
    json.string(projection.currency)
    json.key("landed_at")
    json.string(projection.landedAt)
    json.key("timezone")
    json.string(projection.timeZone)
    json.key("first_value_at")
    json.string(projection.firstValueAt)
    json.key("ttfv_days")
    json.number(projection.ttfvDays)

    json.key("triggers")
    json.beginArray()
    for trigger in projection.triggers { write(trigger, to: &json) }
    json.endArray()
    json.key("ready")
    json.bool(projection.ready)
    json.key("readiness")
    write(projection.readiness, to: &json)

    json.key("next_tier")
    json.string(projection.nextTier)
    json.key("owner")
    json.string(projection.owner)
    json.key("price")
    json.string(projection.price)
    json.key("value_proposition")
    json.string(projection.valueProposition)

    json.key("checkin")
    if let checkin = projection.checkin {
      json.beginObject()
      json.key("due_on")
      json.string(checkin.dueOn)
      json.key("status")
      json.string(checkin.status)
      json.key("completed_at")
      json.string(checkin.completedAt)
      json.endObject()
    } else {
      json.null()
    }

    json.key("expansions")
    json.beginArray()
    for expansion in projection.expansions { write(expansion, to: &json) }
    json.endArray()
    json.key("offers")
    json.beginArray()
    for offer in projection.offers { write(offer, to: &json) }
    json.endArray()
    json.key("reactivations")
    write(strings: projection.reactivations, to: &json)
    json.key("events_before_landing")
    json.number(projection.eventsBeforeLanding)
    json.key("events_ignored")
    json.number(projection.eventsIgnored)
    json.endObject()
    return json.bytes
  }

  private static func write(_ trigger: TriggerReport, to json: inout JSONByteWriter) {
    json.beginObject()
    json.key("type")
    json.string(trigger.type)
    json.key("fired")
    json.bool(trigger.fired)
    json.key("fired_at")
    json.string(trigger.firedAt)
    json.key("conditions")
    write(trigger.conditions, to: &json)
    json.endObject()
  }

  private static func write(_ conditions: [Condition], to json: inout JSONByteWriter) {
    json.beginArray()
    for condition in conditions {
      json.beginObject()
      json.key("name")
      json.string(condition.name)
      json.key("actual")
      json.string(condition.actual)
      json.key("required")
      json.string(condition.required)
      json.key("met")
      json.bool(condition.met)
      json.endObject()
    }
    json.endArray()
  }

  private static func write(_ expansion: ExpansionReport, to json: inout JSONByteWriter) {
    json.beginObject()
    json.key("at")
    json.string(expansion.at)
    json.key("from")
    json.string(expansion.from)
    json.key("to")
    json.string(expansion.to)
    json.key("acv_delta")
    json.string(expansion.acvDelta)
    json.key("attributed_to")
    write(strings: expansion.attributedTo, to: &json)
    json.key("offer")
    if let offer = expansion.offer {
      json.beginObject()
      json.key("at")
      json.string(offer.at)
      json.key("by")
      json.string(offer.by)
      json.key("trigger")
      json.string(offer.trigger)
      json.endObject()
    } else {
      json.null()
    }
    json.endObject()
  }

  private static func write(_ offer: OfferReport, to json: inout JSONByteWriter) {
    json.beginObject()
    json.key("at")
    json.string(offer.at)
    json.key("to")
    json.string(offer.to)
    json.key("by")
    json.string(offer.by)
    json.key("trigger")
    json.string(offer.trigger)
    json.key("open")
    json.bool(offer.open)
    json.endObject()
  }

  private static func write(strings: [String], to json: inout JSONByteWriter) {
    json.beginArray()
    for text in strings { json.string(text) }
    json.endArray()
  }
}
