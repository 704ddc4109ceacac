/// Returns the names among `names` that `typed` most likely misspells, or none.
///
/// When `typed` is a prefix of exactly one name, the function returns that name.
/// Otherwise it returns the names at the smallest edit distance, where an insertion, a
/// deletion, a substitution or a swap of two adjacent letters counts as one edit. That distance may
/// be at most 2, and at most one edit per 3 letters of the name, so that `foo` is not
/// taken for `log`. Letter case is ignored.
public func suggestedNames(for typed: String, among names: [String]) -> [String] {
  let lowered = typed.lowercased()
  guard !lowered.isEmpty else { return [] }
  let prefixed = names.filter { $0.hasPrefix(lowered) }
  if prefixed.count == 1 { return prefixed }

  var best: [String] = []
  var bestDistance = Int.max
  for name in names {
    let distance = editDistance(Array(lowered), Array(name))
    guard distance <= min(2, name.count / 3) else { continue }
    if distance < bestDistance {
      best = [name]
      bestDistance = distance
    } else if distance == bestDistance {
      best.append(name)
    }
  }
  return best
}

/// Returns the optimal string alignment distance between `a` and `b`: the Levenshtein
/// distance, with a swap of two adjacent characters counted as one edit.
private func editDistance(_ a: [Character], _ b: [Character]) -> Int {
  guard !a.isEmpty else { return b.count }
  guard !b.isEmpty else { return a.count }
  // distances[i][j] is the distance between the first i characters of a and the first
  // j characters of b.
  var distances = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
  for i in 0...a.count { distances[i][0] = i }
  for j in 0...b.count { distances[0][j] = j }
  for i in 1...a.count {
    for j in 1...b.count {
      let substitution = a[i - 1] == b[j - 1] ? 0 : 1
      var distance = min(
        distances[i - 1][j] + 1, distances[i][j - 1] + 1, distances[i - 1][j - 1] + substitution)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        distance = min(distance, distances[i - 2][j - 2] + 1)
      }
      distances[i][j] = distance
    }
  }
  return distances[a.count][b.count]
}
