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
    encode(projection, addingReadySince: nil)
  }

  /// Encodes a projection as `encode(_:)` does, with `ready_since` after `ready`: the
  /// start of the account's stretch of readiness, null when it is not ready. `why`
  /// computes it, a replay does not.
  public static func encode(_ projection: AccountProjection, readySince: Timestamp?) -> [UInt8] {
    encode(projection, addingReadySince: .some(readySince))
  }

  private static func encode(_ projection: AccountProjection, addingReadySince: Timestamp??)
    -> [UInt8]
  {
    var json = JSONByteWriter(capacity: 4096)
    json.beginObject()
    json.string("account", projection.account)
    json.string("as_of", projection.asOf)
    json.string("known_at", projection.knownAt)
    json.string("rules_version", projection.rulesVersion)
    json.string("status", projection.status)
    json.string("tier", projection.tier)
    json.string("acv", projection.acv)
    json.string("currency", projection.currency)
    json.string("landed_at", projection.landedAt)
    json.string("timezone", projection.timeZone)
    json.string("first_value_at", projection.firstValueAt)
    json.number("ttfv_days", projection.ttfvDays)

    json.key("triggers")
    json.beginArray()
    for trigger in projection.triggers { write(trigger, to: &json) }
    json.endArray()
    json.bool("ready", projection.ready)
    if let readySince = addingReadySince { json.string("ready_since", readySince?.rfc3339) }
    json.key("readiness")
    write(projection.readiness, to: &json)

    json.string("next_tier", projection.nextTier)
    json.string("owner", projection.owner)
    json.string("price", projection.price)
    json.string("value_proposition", projection.valueProposition)

    json.key("checkin")
    if let checkin = projection.checkin {
      json.beginObject()
      json.string("due_on", checkin.dueOn)
      json.string("status", checkin.status)
      json.string("completed_at", checkin.completedAt)
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
    json.number("events_before_landing", projection.eventsBeforeLanding)
    json.number("events_ignored", projection.eventsIgnored)
    json.endObject()
    return json.bytes
  }

  private static func write(_ trigger: TriggerReport, to json: inout JSONByteWriter) {
    json.beginObject()
    json.string("type", trigger.type)
    json.bool("fired", trigger.fired)
    json.string("fired_at", trigger.firedAt)
    json.key("conditions")
    write(trigger.conditions, to: &json)
    json.endObject()
  }

  private static func write(_ conditions: [Condition], to json: inout JSONByteWriter) {
    json.beginArray()
    for condition in conditions {
      json.beginObject()
      json.string("name", condition.name)
      json.string("actual", condition.actual)
      json.string("required", condition.required)
      json.bool("met", condition.met)
      json.endObject()
    }
    json.endArray()
  }

  private static func write(_ expansion: ExpansionReport, to json: inout JSONByteWriter) {
    json.beginObject()
    json.string("at", expansion.at)
    json.string("from", expansion.from)
    json.string("to", expansion.to)
    json.string("acv_delta", expansion.acvDelta)
    json.key("attributed_to")
    write(strings: expansion.attributedTo, to: &json)
    json.key("offer")
    if let offer = expansion.offer {
      json.beginObject()
      json.string("at", offer.at)
      json.string("by", offer.by)
      json.string("trigger", offer.trigger)
      json.endObject()
    } else {
      json.null()
    }
    json.endObject()
  }

  private static func write(_ offer: OfferReport, to json: inout JSONByteWriter) {
    json.beginObject()
    json.string("at", offer.at)
    json.string("to", offer.to)
    json.string("by", offer.by)
    json.string("trigger", offer.trigger)
    json.key("trigger_fired")
    if let fired = offer.triggerFired { json.bool(fired) } else { json.null() }
    json.bool("open", offer.open)
    json.endObject()
  }

  private static func write(strings: [String], to json: inout JSONByteWriter) {
    json.beginArray()
    for text in strings { json.string(text) }
    json.endArray()
  }
}
