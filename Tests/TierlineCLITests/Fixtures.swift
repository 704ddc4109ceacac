/// Builders for NDJSON event lines used by the end-to-end tests.
enum Line {
  static func landed(
    _ id: String, account: String, at time: String, tier: String = "starter",
    acv: String = "6000.00", currency: String = "USD", zone: String = "UTC"
  ) -> String {
    """
    {"id":"\(id)","type":"account.landed","account":"\(account)","occurred_at":"\(time)",\
    "data":{"tier":"\(tier)","acv":"\(acv)","currency":"\(currency)","timezone":"\(zone)"}}
    """
  }

  static func usage(
    _ id: String, account: String, at time: String, metric: String = "api_calls",
    quantity: String = "100"
  ) -> String {
    """
    {"id":"\(id)","type":"usage.recorded","account":"\(account)","occurred_at":"\(time)",\
    "data":{"metric":"\(metric)","quantity":\(quantity)}}
    """
  }

  static func milestone(_ id: String, account: String, at time: String, name: String) -> String {
    """
    {"id":"\(id)","type":"milestone.reached","account":"\(account)","occurred_at":"\(time)",\
    "data":{"milestone":"\(name)"}}
    """
  }

  static func checkinCompleted(
    _ id: String, account: String, at time: String, kind: String = "onboarding_60d"
  ) -> String {
    """
    {"id":"\(id)","type":"checkin.completed","account":"\(account)","occurred_at":"\(time)",\
    "data":{"kind":"\(kind)","value_delivered":true,"approaching_capacity":false}}
    """
  }

  static func tierChanged(
    _ id: String, account: String, at time: String, to tier: String, acv: String,
    expectedVersion: Int? = nil
  ) -> String {
    let version = expectedVersion.map { ",\"expected_version\":\($0)" } ?? ""
    return """
      {"id":"\(id)","type":"tier.changed","account":"\(account)","occurred_at":"\(time)",\
      "data":{"to":"\(tier)","acv":"\(acv)","currency":"USD"}\(version)}
      """
  }
}

extension Line {
  static func offered(
    _ id: String, account: String, at time: String, to tier: String, trigger: String?
  ) -> String {
    let cited = trigger.map { ",\"trigger\":\"\($0)\"" } ?? ""
    return """
      {"id":"\(id)","type":"expansion.offered","account":"\(account)","occurred_at":"\(time)",\
      "data":{"to":"\(tier)","by":"cs"\(cited)}}
      """
  }
}
