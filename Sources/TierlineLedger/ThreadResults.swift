import Foundation

/// One result slot per task of a parallel step, and the first error any task threw.
///
/// Each slot is written by exactly one thread, into separately allocated memory, so
/// writes need no lock; the lock guards only the error.
final class ThreadResults<Value>: @unchecked Sendable {
  private let slots: UnsafeMutableBufferPointer<Value?>
  private var error: (any Error)?
  private let lock = NSLock()

  init(count: Int) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: nil)
  }

  deinit {
    slots.deinitialize()
    slots.deallocate()
  }

  func store(_ value: Value, at index: Int) {
    slots[index] = value
  }

  func fail(_ failure: any Error) {
    lock.withLock { if error == nil { error = failure } }
  }

  /// Whether a task has failed.
  var hasFailed: Bool {
    lock.withLock { error != nil }
  }

  /// Throws the first error a task threw, if any.
  func checkError() throws {
    if let error = lock.withLock({ error }) { throw error }
  }

  /// Returns the value of slot `index` and empties the slot. The caller must know that
  /// the slot's task has ended, for example from a semaphore it signalled.
  func take(at index: Int) -> Value? {
    defer { slots[index] = nil }
    return slots[index]
  }

  /// Returns the stored values in slot order, or throws the first error.
  func collect() throws -> [Value] {
    if let error = lock.withLock({ error }) { throw error }
    return slots.compactMap { $0 }
  }
}
