#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A `pthread_rwlock_t`: many holders in shared mode or one in exclusive mode.
final class ReadWriteLock: @unchecked Sendable {
  private let lock: UnsafeMutablePointer<pthread_rwlock_t>

  /// Creates an unlocked lock.
  init() {
    lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
    lock.initialize(to: pthread_rwlock_t())
    pthread_rwlock_init(lock, nil)
  }

  deinit {
    pthread_rwlock_destroy(lock)
    lock.deallocate()
  }

  /// Blocks until the lock is held in shared mode.
  func lockShared() {
    pthread_rwlock_rdlock(lock)
  }

  /// Blocks until the lock is held in exclusive mode.
  func lockExclusive() {
    pthread_rwlock_wrlock(lock)
  }

  /// Releases one hold of either mode.
  func unlock() {
    pthread_rwlock_unlock(lock)
  }
}
