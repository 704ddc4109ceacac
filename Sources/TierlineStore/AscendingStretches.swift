/// Sorts `values`, made of a few stretches in ascending order, by merging neighbouring
/// stretches pairwise. The merge is stable and costs one pass when `values` are in order.
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

  var source = values
  var target = values
  while bounds.count > 2 {
    var merged = [0]
    var stretch = 0
    while stretch + 1 < bounds.count {
      let start = bounds[stretch]
      let middle = bounds[stretch + 1]
      let end = stretch + 2 < bounds.count ? bounds[stretch + 2] : middle
      var left = start
      var right = middle
      var output = start
      while left < middle && right < end {
        if areInIncreasingOrder(source[right], source[left]) {
          target[output] = source[right]
          right += 1
        } else {
          target[output] = source[left]
          left += 1
        }
        output += 1
      }
      while left < middle {
        target[output] = source[left]
        left += 1
        output += 1
      }
      while right < end {
        target[output] = source[right]
        right += 1
        output += 1
      }
      merged.append(end)
      stretch += 2
    }
    swap(&source, &target)
    bounds = merged
  }
  values = source
}
