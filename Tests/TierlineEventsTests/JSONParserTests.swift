import Testing
import TierlineEvents

@Suite("JSON parser")
struct JSONParserTests {
  private func syntaxError(_ text: [UInt8]) -> JSONSyntaxError? {
    do {
      _ = try JSONValue.parse(text)
      return nil
    } catch {
      return error
    }
  }

  @Test("values keep order and exact number text")
  func values() throws {
    let value = try JSONValue.parse(#"{"b":[1.50,-0,2e10,true,false,null],"a":"x"}"#)
    guard case .object(let members) = value else {
      Issue.record("expected an object, got \(value.typeName)")
      return
    }
    #expect(members.map(\.key) == ["b", "a"])
    let expected: [JSONValue] = [
      .number("1.50"), .number("-0"), .number("2e10"), .bool(true), .bool(false), .null,
    ]
    #expect(members[0].value == .array(expected))
    #expect(value["a"] == .string("x"))
  }

  @Test("escapes and surrogate pairs decode")
  func escapes() throws {
    let value = try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude80""#)
    #expect(value == .string("a\"b\\c/d\u{8}\u{C}\n\r\t\u{E9}\u{1F680}"))
  }

  @Test(
    "syntax errors report the byte offset",
    arguments: [
      (#"{"a":1,}"#, 7),
      (#"{"a":1} x"#, 8),
      (#"[1,2"#, 4),
      (#"{"a" 1}"#, 5),
      (#"01"#, 1),
      (#"1."#, 2),
      (#"-"#, 1),
      (#"tru"#, 0),
      (#""abc"#, 4),
      (#"{"a":1,"a":2}"#, 7),
      (#""\ud800""#, 1),
      (#""\udc00""#, 1),
      (#""\ud800\u0041""#, 1),
      (#""\x""#, 1),
      ("\"a\tb\"", 2),
      ("", 0),
    ])
  func offsets(text: String, offset: Int) throws {
    let error = try #require(syntaxError(Array(text.utf8)))
    #expect(error.offset == offset, "\(text): \(error)")
  }

  @Test("repeated keys in objects of any size", arguments: [1, 15, 16, 17, 40])
  func repeatedKeys(members: Int) throws {
    let keys = (0..<members).map { "k\($0)" }
    func object(_ keys: [String]) -> String {
      "{" + keys.map { "\"\($0)\":0" }.joined(separator: ",") + "}"
    }
    let distinct = try JSONValue.parse(object(keys))
    guard case .object(let parsed) = distinct else {
      Issue.record("expected an object, got \(distinct.typeName)")
      return
    }
    #expect(parsed.map(\.key) == keys)
    // The first, a middle and the last key are each repeated at the end of the object.
    // The error gives the offset of the repeat.
    for repeatedKey in Set([keys[0], keys[members / 2], keys[members - 1]]) {
      let text = object(keys + [repeatedKey])
      let error = try #require(syntaxError(Array(text.utf8)))
      #expect(error.offset == text.utf8.count - repeatedKey.utf8.count - 5)
      #expect(error.reason == "duplicate key \"\(repeatedKey)\"")
    }
  }

  @Test("invalid UTF-8 is rejected")
  func invalidUTF8() throws {
    let cases: [[UInt8]] = [
      [0x22, 0xC3, 0x22],
      [0x22, 0xC0, 0xAF, 0x22],
      [0x22, 0xED, 0xA0, 0x80, 0x22],
      [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
      [0x22, 0xFF, 0x22],
    ]
    for bytes in cases {
      let error = try #require(syntaxError(bytes))
      #expect(error.offset == 1)
    }
  }

  @Test("nesting deeper than 64 is rejected")
  func depth() throws {
    let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    #expect(throws: Never.self) { try JSONValue.parse(ok) }
    let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
    let error = try #require(syntaxError(Array(deep.utf8)))
    #expect(error.offset == 64)
    let huge = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
    #expect(syntaxError(huge) != nil)
  }

  @Test("random bytes never crash the parser")
  func fuzz() {
    var generator = SplitMix64(seed: 0x5EED)
    let alphabet = Array(#"{}[],:"\ntrufalse0123456789.eE+-u\ "#.utf8) + [0xC3, 0xA9, 0xFF]
    var accepted = 0
    for _ in 0..<20_000 {
      let length = Int(generator.next() % 24)
      var bytes: [UInt8] = []
      for _ in 0..<length {
        bytes.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
      }
      if syntaxError(bytes) == nil { accepted += 1 }
    }
    #expect(accepted > 0)
  }

  @Test("quoting escapes control characters")
  func quoting() throws {
    let text = "tab\there \"q\" back\\slash \u{1} \u{1F} é\u{2028}"
    let quoted = jsonQuoted(text)
    #expect(quoted == #""tab\there \"q\" back\\slash \u0001 \u001f é"# + "\u{2028}\"")
    #expect(try JSONValue.parse(quoted) == .string(text))
  }
}

/// A small deterministic generator for fuzz inputs.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
