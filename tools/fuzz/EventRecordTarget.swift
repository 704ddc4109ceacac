import TierlineEvents

/// libFuzzer entry point: decodes the input as a stored binary record and, when it is
/// valid, checks that encoding the event gives back the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEventRecord(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  guard let event = try? EventCodec.decode(bytes) else { return 0 }
  guard EventCodec.encode(event).elementsEqual(bytes) else {
    fatalError("a decoded record encodes to other bytes")
  }
  return 0
}
