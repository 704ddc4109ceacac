/// Sorts `values`, made of a few ascending stretches, by merging neighbouring stretches
/// pairwise. The merge is stable and costs one pass when `values` are in order.
func mergeAscendingStretches<Value>(
  _ values: inout [Value], by areInIncreasingOrder: (Value, Value) -> Bool
) {
  guard values.count > 1 else { return }
  var bounds = [0]
  for index in 1..<values.count where areInIncreasingOrder(values[index], values[index - 1]) {
    bounds.append(index)
  }
  guard bounds.count > 1 else { return }
  bounds.append(values.count)

  values.withUnsafeMutableBufferPointer { buffer in
    guard let base = buffer.baseAddress else { return }
    // Room for the smaller part of any merge, which is at most half of the values.
    let scratch = UnsafeMutablePointer<Value>.allocate(capacity: buffer.count / 2)
    defer { scratch.deallocate() }
    while bounds.count > 2 {
      var merged = [0]
      var stretch = 0
      while stretch + 2 < bounds.count {
        mergeNeighbours(
          base, bounds[stretch], bounds[stretch + 1], bounds[stretch + 2], scratch,
          by: areInIncreasingOrder)
        merged.append(bounds[stretch + 2])
        stretch += 2
      }
      if stretch + 1 < bounds.count { merged.append(bounds[stretch + 1]) }
      bounds = merged
    }
  }
}

/// Merges the ascending stretches `start..<middle` and `middle..<end` of `values` in
/// place. Only their overlap moves, which is small when few values arrived late.
private func mergeNeighbours<Value>(
  _ values: UnsafeMutablePointer<Value>, _ start: Int, _ middle: Int, _ end: Int,
  _ scratch: UnsafeMutablePointer<Value>, by areInIncreasingOrder: (Value, Value) -> Bool
) {
  guard areInIncreasingOrder(values[middle], values[middle - 1]) else { return }
  // The left values up to the first one after the right stretch's first value stay, and
  // so do the right values from the first one not before the left stretch's last value.
  var low = start
  var high = middle
  while low < high {
    let probe = (low + high) / 2
    if areInIncreasingOrder(values[middle], values[probe]) { high = probe } else { low = probe + 1 }
  }
  let leftStart = low
  low = middle
  high = end
  while low < high {
    let probe = (low + high) / 2
    if areInIncreasingOrder(values[probe], values[middle - 1]) {
      low = probe + 1
    } else {
      high = probe
    }
  }
  let rightEnd = low

  // The smaller part moves out to `scratch`, and each value then moves into the gap
  // once. On a tie the left value goes first, which keeps the merge stable.
  let leftCount = middle - leftStart
  let rightCount = rightEnd - middle
  if leftCount <= rightCount {
    scratch.moveInitialize(from: values + leftStart, count: leftCount)
    var left = 0
    var right = middle
    var output = leftStart
    while left < leftCount && right < rightEnd {
      if areInIncreasingOrder(values[right], scratch[left]) {
        (values + output).moveInitialize(from: values + right, count: 1)
        right += 1
      } else {
        (values + output).moveInitialize(from: scratch + left, count: 1)
        left += 1
      }
      output += 1
    }
    (values + output).moveInitialize(from: scratch + left, count: leftCount - left)
  } else {
    scratch.moveInitialize(from: values + middle, count: rightCount)
    var left = middle - 1
    var right = rightCount - 1
    var output = rightEnd - 1
    while left >= leftStart && right >= 0 {
      if areInIncreasingOrder(scratch[right], values[left]) {
        (values + output).moveInitialize(from: values + left, count: 1)
        left -= 1
      } else {
        (values + output).moveInitialize(from: scratch + right, count: 1)
        right -= 1
      }
      output -= 1
    }
    (values + leftStart).moveInitialize(from: scratch, count: right + 1)
  }
}
