/// Returns the names among `names` that `typed` most likely misspells, or none.
///
/// When `typed` has at least `minimumPrefix` letters and is a prefix of exactly one
/// name, the function returns that name. Otherwise it returns the names at the smallest
/// edit distance, where an insertion, a deletion, a substitution or a swap of two
/// adjacent letters counts as one edit. That distance may be at most 2, and at most one
/// edit per 3 letters of the name, so that `foo` is not taken for `log`. Letter case is
/// ignored on both sides. Names longer than 100 characters are never guessed.
public func suggestedNames(
  for typed: String, among names: [String], minimumPrefix: Int = 1
) -> [String] {
  // The edit distance takes time in the product of the two lengths, and a name longer
  // than this is no typing slip to guess.
  let longestGuessed = 100
  guard typed.utf8.count <= 4 * (longestGuessed + 2) else { return [] }
  let lowered = Array(typed.lowercased())
  guard !lowered.isEmpty, lowered.count <= longestGuessed + 2 else { return [] }
  let loweredNames = names.map { name in
    name.utf8.count <= 4 * longestGuessed ? Array(name.lowercased()) : []
  }
  // Names past the limit are left out of both rules.
  let guessable = names.indices.filter {
    !loweredNames[$0].isEmpty && loweredNames[$0].count <= longestGuessed
  }
  if lowered.count >= minimumPrefix {
    let prefixed = guessable.filter { loweredNames[$0].starts(with: lowered) }
    if prefixed.count == 1 { return [names[prefixed[0]]] }
  }

  var best: [String] = []
  var bestDistance = Int.max
  for index in guessable {
    let (name, loweredName) = (names[index], loweredNames[index])
    let limit = min(2, loweredName.count / 3)
    // Lengths that differ by more than the limit take more edits than it allows, so
    // the distance of a long input is never computed.
    guard abs(lowered.count - loweredName.count) <= limit else { continue }
    let distance = editDistance(lowered, loweredName)
    guard distance <= limit else { continue }
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
  // Rows i - 2, i - 1 and i of the table, where entry j is the distance between the first
  // i characters of a and the first j characters of b.
  var beforePrevious = [Int](repeating: 0, count: b.count + 1)
  var previous = Array(0...b.count)
  var current = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    current[0] = i
    for j in 1...b.count {
      let substitution = a[i - 1] == b[j - 1] ? 0 : 1
      var distance = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + substitution)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        distance = min(distance, beforePrevious[j - 2] + 1)
      }
      current[j] = distance
    }
    (beforePrevious, previous, current) = (previous, current, beforePrevious)
  }
  return previous[b.count]
}
