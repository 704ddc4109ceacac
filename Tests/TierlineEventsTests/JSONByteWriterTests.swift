import Testing
import TierlineEvents

@Suite("JSON byte writer")
struct JSONByteWriterTests {
  @Test("nested values get commas and colons")
  func nesting() {
    var json = JSONByteWriter()
    json.beginObject()
    json.key("a")
    json.number(1)
    json.key("b")
    json.beginArray()
    json.string("x")
    json.beginObject()
    json.endObject()
    json.beginArray()
    json.endArray()
    json.null()
    json.endArray()
    json.key("c")
    json.bool(false)
    json.key("d")
    json.string(nil)
    json.key("e")
    json.number(nil)
    json.endObject()
    #expect(
      String(decoding: json.bytes, as: UTF8.self)
        == #"{"a":1,"b":["x",{},[],null],"c":false,"d":null,"e":null}"#)
  }

  @Test("strings escape as jsonQuoted does")
  func escaping() throws {
    let texts = [
      "", "plain", "quote \" inside", "back\\slash", "tab\tnew\nline", "\u{0}\u{1}\u{1f}",
      "bell \u{8} feed \u{c} return \r", "naïve 東京 🚀", "\u{7f} stays",
    ]
    for text in texts {
      var json = JSONByteWriter()
      json.string(text)
      #expect(json.bytes == Array(jsonQuoted(text).utf8), "\(text.debugDescription)")
      // The output parses back to the same text.
      #expect(try JSONValue.parse(json.bytes) == .string(text), "\(text.debugDescription)")
    }
  }
}
