import TierlineEvents

/// libFuzzer entry point: decodes the input as one line of interchange JSON and, when it
/// is valid, checks that its canonical output decodes to the same event.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  guard let incoming = try? EventJSON.decode(bytes, lineNumber: 1) else { return 0 }
  let canonical = EventJSON.encode(incoming.event)
  guard let again = try? EventJSON.decode(Array(canonical.utf8), lineNumber: 1) else {
    fatalError("canonical output does not decode: \(canonical)")
  }
  guard again.event == incoming.event else {
    fatalError("canonical output decodes to another event: \(canonical)")
  }
  return 0
}
