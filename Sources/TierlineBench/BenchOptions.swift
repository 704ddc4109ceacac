/// The `--name value` options of one benchmark command.
struct BenchOptions {
  private var values: [String: String] = [:]

  /// Parses `arguments`, which must alternate option names and values.
  init(_ arguments: ArraySlice<String>) throws(BenchFailure) {
    var iterator = arguments.makeIterator()
    while let name = iterator.next() {
      guard name.hasPrefix("--"), let value = iterator.next() else {
        throw BenchFailure("expected `--name value` pairs, got \(name)")
      }
      values[String(name.dropFirst(2))] = value
    }
  }

  /// Returns the value of a required string option.
  func string(_ name: String) throws(BenchFailure) -> String {
    guard let value = values[name] else { throw BenchFailure("missing option --\(name)") }
    return value
  }

  /// Returns the value of an integer option, or `defaultValue` when it is absent.
  func integer(_ name: String, default defaultValue: Int) throws(BenchFailure) -> Int {
    guard let text = values[name] else { return defaultValue }
    guard let value = Int(text), value > 0 else {
      throw BenchFailure("--\(name) must be a positive integer, got \(text)")
    }
    return value
  }
}

extension BenchOptions {
  /// Returns the positive integers of a comma-separated option, such as `1,2`, or
  /// `defaultValue` when it is absent.
  func integers(_ name: String, default defaultValue: [Int]) throws(BenchFailure) -> [Int] {
    guard let text = try? string(name) else { return defaultValue }
    var values: [Int] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      guard let value = Int(part), value > 0 else {
        throw BenchFailure(
          "invalid --\(name) (\(text)): give positive integers separated by commas, such as 1,2")
      }
      values.append(value)
    }
    return values
  }
}

/// A benchmark that could not run, with the reason.
struct BenchFailure: Error, CustomStringConvertible {
  /// What failed and on which value.
  let description: String

  init(_ description: String) {
    self.description = description
  }
}
