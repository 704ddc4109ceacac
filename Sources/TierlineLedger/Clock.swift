#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import TierlineEvents

extension Timestamp {
  /// The current wall-clock time, read with `clock_gettime(CLOCK_REALTIME)`.
  public static var now: Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
  }
}
