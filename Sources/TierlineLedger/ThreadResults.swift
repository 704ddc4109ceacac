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

/// A counter that threads take consecutive numbers from.
final class SharedCounter: @unchecked Sendable {
  private var next = 0
  private let lock = NSLock()

  /// Returns the next number and counts it, or nil once the numbers reach `limit`.
  func take(below limit: Int) -> Int? {
    lock.withLock {
      guard next < limit else { return nil }
      defer { next += 1 }
      return next
    }
  }
}

/// A number of slots that threads take before starting a piece of work and give back
/// once its result is used, so that work runs at most that far ahead of its use.
final class WorkWindow: @unchecked Sendable {
  private let condition = NSCondition()
  private var available: Int
  private var cancelled = false

  init(slots: Int) {
    available = slots
  }

  /// Waits for a free slot and takes it. Returns false, without a slot, once `cancel()`
  /// has been called.
  func acquire() -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while available == 0, !cancelled { condition.wait() }
    guard !cancelled else { return false }
    available -= 1
    return true
  }

  /// Takes a free slot if there is one, without waiting. Returns false when there is
  /// none or `cancel()` has been called.
  func tryAcquire() -> Bool {
    condition.lock()
    defer { condition.unlock() }
    guard available > 0, !cancelled else { return false }
    available -= 1
    return true
  }

  /// Gives a slot back.
  func release() {
    condition.lock()
    available += 1
    condition.signal()
    condition.unlock()
  }

  /// Wakes every waiting thread and makes every later `acquire()` return false.
  func cancel() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    condition.unlock()
  }
}
