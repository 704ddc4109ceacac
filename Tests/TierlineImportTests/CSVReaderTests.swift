import Testing
import TierlineImport

@Suite("CSV reader")
struct CSVReaderTests {
  func read(_ text: String) throws -> CSVTable {
    try CSVReader.read(Array(text.utf8))
  }

  @Test("quoted comma, newline and quote")
  func quotedFields() throws {
    let table = try read("a,b,c\n\"x, y\",\"line one\nline two\",\"say \"\"hi\"\"\"\n")
    #expect(table.header == ["a", "b", "c"])
    #expect(table.records.count == 1)
    #expect(table.records.first?.fields == ["x, y", "line one\nline two", "say \"hi\""])
    #expect(table.errors.isEmpty)
  }

  @Test("CRLF and LF line ends")
  func lineEnds() throws {
    let table = try read("a,b\r\n1,2\n3,4\r\n\"5\r\n6\",7")
    #expect(table.records.map(\.fields) == [["1", "2"], ["3", "4"], ["5\r\n6", "7"]])
    #expect(table.records.map(\.line) == [2, 3, 4])
  }

  @Test("byte-order mark is ignored")
  func byteOrderMark() throws {
    let table = try CSVReader.read([0xEF, 0xBB, 0xBF] + Array("id,name\n1,x\n".utf8))
    #expect(table.header == ["id", "name"])
  }

  @Test("line numbers count lines inside quotes")
  func lineNumbers() throws {
    let table = try read("a,b\n\"1\n\n2\",x\n\n3,y\n")
    #expect(table.records.map(\.line) == [2, 6])
  }

  @Test("empty fields and trailing comma")
  func emptyFields() throws {
    let table = try read("a,b,c\n,,\n\"\",x,\n")
    #expect(table.records.map(\.fields) == [["", "", ""], ["", "x", ""]])
  }

  @Test("unterminated quote is an error")
  func unterminatedQuote() throws {
    let table = try read("a,b\n1,2\n\"open,3\n4,5\n")
    #expect(table.records.count == 1)
    #expect(table.errors.count == 1)
    #expect(table.errors.first?.line == 3)
    #expect(table.errors.first?.reason.contains("never closed") == true)
  }

  @Test("text after closing quote is an error and reading resumes")
  func textAfterQuote() throws {
    let table = try read("a,b\n\"x\"y,1\n2,3\n")
    #expect(table.errors.map(\.line) == [2])
    #expect(table.records.map(\.fields) == [["2", "3"]])
  }

  @Test("quote inside unquoted field is an error")
  func strayQuote() throws {
    let table = try read("a,b\nab\"c,1\n")
    #expect(table.records.isEmpty)
    #expect(table.errors.first?.reason.contains("unquoted") == true)
  }

  @Test("invalid UTF-8 is an error")
  func invalidUTF8() throws {
    let table = try CSVReader.read(Array("a,b\n".utf8) + [0x31, 0x2C, 0xFF, 0x0A])
    #expect(table.records.isEmpty)
    #expect(table.errors.first?.field == "column 2")
  }

  @Test("empty file has no header")
  func emptyFile() {
    #expect(throws: ImportRejection.self) { try CSVReader.read([]) }
  }

  @Test("unreadable header fails the file")
  func unreadableHeader() {
    // The next row must not become the header in its place.
    let error = #expect(throws: ImportRejection.self) {
      try read("id,acct,\"at\"x,q\n1,a,2024-01-01,5\n")
    }
    #expect(error?.line == 1)
    #expect(error?.reason.contains("text after the closing quote") == true)
    let invalidUTF8 = #expect(throws: ImportRejection.self) {
      try CSVReader.read([0x61, 0xFF, 0x0A] + Array("id,name\n1,x\n".utf8))
    }
    #expect(invalidUTF8?.line == 1)
  }
}
