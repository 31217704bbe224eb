import NIOConcurrencyHelpers

/// A value that threads share behind a lock, with `Synchronization.Mutex`'s shape (`let` it, then
/// `withLock { value in … }`), on every platform `Package.swift` declares: the standard library's
/// `Mutex` needs macOS 15, and this package builds on macOS 14.
///
/// `body` runs with the lock held: keep it short, and never suspend or take the same lock in it.
public struct Mutex<Value>: @unchecked Sendable {
    @usableFromInline let box: NIOLockedValueBox<Value>

    public init(_ value: Value) {
        box = NIOLockedValueBox(value)
    }

    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try box.withLockedValue(body)
    }
}
