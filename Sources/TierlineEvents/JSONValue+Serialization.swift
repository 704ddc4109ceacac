extension JSONValue {
  /// Serializes the value as compact UTF-8 JSON with no whitespace.
  ///
  /// - Parameter sortingKeys: sorts object members by the UTF-8 bytes of their keys when
  ///   true, and keeps their stored order otherwise. Either way the output is deterministic.
  public func serialized(sortingKeys: Bool) -> [UInt8] {
    var output: [UInt8] = []
    write(to: &output, sortingKeys: sortingKeys)
    return output
  }

  private func write(to output: inout [UInt8], sortingKeys: Bool) {
    switch self {
    case .null:
      output.append(contentsOf: "null".utf8)
    case .bool(let value):
      output.append(contentsOf: (value ? "true" : "false").utf8)
    case .number(let text):
      output.append(contentsOf: text.utf8)
    case .string(let text):
      JSONValue.writeString(text, to: &output)
    case .array(let items):
      output.append(UInt8(ascii: "["))
      for (index, item) in items.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        item.write(to: &output, sortingKeys: sortingKeys)
      }
      output.append(UInt8(ascii: "]"))
    case .object(let members):
      let ordered =
        sortingKeys
        ? members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : members
      output.append(UInt8(ascii: "{"))
      for (index, member) in ordered.enumerated() {
        if index > 0 { output.append(UInt8(ascii: ",")) }
        JSONValue.writeString(member.key, to: &output)
        output.append(UInt8(ascii: ":"))
        member.value.write(to: &output, sortingKeys: sortingKeys)
      }
      output.append(UInt8(ascii: "}"))
    }
  }

  private static func writeString(_ text: String, to output: inout [UInt8]) {
    output.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { appendJSONEscaped($0, to: &output) }
    output.append(UInt8(ascii: "\""))
  }
}
