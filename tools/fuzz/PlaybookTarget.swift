import TierlinePlaybook

/// libFuzzer entry point: parses the input as a playbook file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlaybook(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  _ = try? Playbook(json: Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
