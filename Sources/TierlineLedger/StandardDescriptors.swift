#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Opens each closed standard descriptor on /dev/null, and returns the name of the first
/// one that could not be opened, with the system's reason, or nil when none failed.
///
/// The next file opened, such as LMDB's `lock.mdb` or `data.mdb`, would otherwise get the
/// number of a closed standard descriptor, and output or messages would be written into
/// the ledger. A closed standard input is opened write-only, and a closed output or error
/// read-only, so that using them still fails as on a closed descriptor.
public func openClosedStandardDescriptors() -> (name: String, reason: String)? {
  let names = ["standard input", "standard output", "standard error"]
  for descriptor: Int32 in 0...2 where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
    guard open("/dev/null", descriptor == 0 ? O_WRONLY : O_RDONLY) == descriptor else {
      return (names[Int(descriptor)], String(cString: strerror(errno)))
    }
  }
  return nil
}
