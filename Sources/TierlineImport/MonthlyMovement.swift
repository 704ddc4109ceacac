import TierlineEvents

/// One customer's MRR movement in one calendar month.
public struct MonthlyMovement: Hashable, Sendable, CustomStringConvertible {
  /// The month, as `YYYY-MM`.
  public var month: String
  /// The customer.
  public var customer: String
  /// The kind of movement.
  public var movement: RevenueMovement
  /// MRR in minor units on the last day of the previous month.
  public var previousMRR: Int64
  /// MRR in minor units on the last day of this month.
  public var mrr: Int64

  public var description: String {
    "\(month) \(customer) \(movement.rawValue) \(previousMRR) -> \(mrr)"
  }
}

extension SubscriptionSchedule {
  /// Classifies each month by comparing the MRR on its last day with the MRR on the last
  /// day of the month before, as MRR movement reports do.
  ///
  /// From 0 to more is `new`, or `reactivation` when an earlier month ended with MRR;
  /// more is `expansion`, less but above 0 is `contraction`, and down to 0 is `churn`.
  /// Months without a change are left out, and so are changes that are undone within
  /// one month (the events still record them).
  /// - Parameters:
  ///   - first: The first month examined, as a date inside it.
  ///   - last: The last month examined, as a date inside it.
  public func monthlyMovements(from first: CivilDate, through last: CivilDate)
    -> [MonthlyMovement]
  {
    var movements: [MonthlyMovement] = []
    var year = first.year
    var month = first.month
    var previous = monthlyRevenue(on: lastDay(year: year, month: month - 1))
    var hadRevenue = previous > 0
    while (year, month) <= (last.year, last.month) {
      let current = monthlyRevenue(on: lastDay(year: year, month: month))
      if current != previous {
        let kind: RevenueMovement
        if previous == 0 {
          kind = hadRevenue ? .reactivation : .new
        } else if current == 0 {
          kind = .churn
        } else {
          kind = current > previous ? .expansion : .contraction
        }
        let label = String(year) + "-" + (month < 10 ? "0" : "") + String(month)
        movements.append(
          MonthlyMovement(
            month: label, customer: customer, movement: kind, previousMRR: previous,
            mrr: current))
      }
      hadRevenue = hadRevenue || current > 0
      previous = current
      month += 1
      if month > 12 {
        month = 1
        year += 1
      }
    }
    return movements
  }

  private func lastDay(year: Int, month: Int) -> CivilDate {
    let (actualYear, actualMonth) = month < 1 ? (year - 1, 12) : (year, month)
    let day = CivilDate.daysInMonth(year: actualYear, month: actualMonth)
    return CivilDate(year: actualYear, month: actualMonth, day: day)
      ?? CivilDate(daysSinceEpoch: 0)
  }
}
