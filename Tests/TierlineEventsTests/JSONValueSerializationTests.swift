import Testing
import TierlineEvents

@Suite("JSON value serialization")
struct JSONValueTests {
  @Test("numbers keep their source text")
  func numbersAsText() throws {
    let value = try JSONValue.parse(Array(#"[0.10, -3, 1e3, 144.20]"#.utf8))
    #expect(value == .array([.number("0.10"), .number("-3"), .number("1e3"), .number("144.20")]))
  }

  @Test("string escapes and surrogate pairs")
  func escapes() throws {
    let value = try JSONValue.parse(Array(#""a\"b\\c\n\u00e9\ud83d\ude00""#.utf8))
    #expect(value == .string("a\"b\\c\né😀"))
  }

  @Test("writer escapes and sorts keys")
  func writer() {
    let value = JSONValue.object([("b", .string("x\u{01}\"")), ("a", .bool(true))])
    let sorted = String(decoding: value.serialized(sortingKeys: true), as: UTF8.self)
    #expect(sorted == #"{"a":true,"b":"x\u0001\""}"#)
    let ordered = String(decoding: value.serialized(sortingKeys: false), as: UTF8.self)
    #expect(ordered == #"{"b":"x\u0001\"","a":true}"#)
  }

  @Test(
    "invalid documents are rejected",
    arguments: [
      #"{"a":1,"a":2}"#, #"[1,]"#, #"01"#, #"1."#, #""\ud800""#, #"{"a" 1}"#, #"tru"#,
      #"[1] 2"#, "\"tab\there\"",
    ])
  func invalid(text: String) {
    #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(Array(text.utf8)) }
  }
}
