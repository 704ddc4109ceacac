extension Sequence where Element == Int64 {
  /// Adds the elements, stopping at `Int64.max` instead of overflowing.
  ///
  /// The importers add amounts from untrusted files, and a saturated total is then
  /// rejected as out of range rather than trapping.
  func saturatingSum() -> Int64 {
    var total: Int64 = 0
    for value in self {
      let (sum, overflow) = total.addingReportingOverflow(value)
      total = overflow ? Int64.max : sum
    }
    return total
  }
}
