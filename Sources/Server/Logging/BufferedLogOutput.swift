import NIOConcurrencyHelpers
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Log lines for a file descriptor, written by one background thread so that no request waits
/// for a `write` system call.
///
/// Guarantees: lines reach the descriptor whole and in the order they were appended, from any
/// number of threads; at most ``capacity`` bytes wait in memory, and an append that would pass
/// it writes the waiting bytes itself (slowing the logger rather than growing without bound or
/// dropping lines); ``flush()`` returns once everything appended before it is written.
public final class BufferedLogOutput: Sendable {
    /// Standard output, as collectors (CloudWatch's awslogs driver, docker logs) read it.
    public static let standardOutput = BufferedLogOutput(descriptor: STDOUT_FILENO)

    public let capacity: Int
    private let descriptor: Int32
    /// The waiting bytes; the lock's value is 1 while there are some.
    private let pending = ConditionLock(value: 0)
    private let buffer = NIOLockedValueBox<[UInt8]>([])
    /// Held while bytes taken from `buffer` are written, so that writers keep their order.
    private let writing = NIOLock()
    private let writer: NIOThreadPool

    public init(descriptor: Int32, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        writer = NIOThreadPool(numberOfThreads: 1)
        writer.start()
        writer.submit { [self] state in
            guard case .active = state else { return }
            while true {
                pending.lock(whenValue: 1)
                pending.unlock()
                writeWaiting()
            }
        }
    }

    /// Queues `line` (which should end in a newline).
    public func append(_ line: [UInt8]) {
        pending.lock()
        let waiting = buffer.withLockedValue { buffer in
            buffer.append(contentsOf: line)
            return buffer.count
        }
        pending.unlock(withValue: 1)
        if waiting > capacity { writeWaiting() }
    }

    /// Writes everything appended so far; returns when it is written.
    public func flush() {
        writeWaiting()
    }

    private func writeWaiting() {
        writing.withLock {
            pending.lock()
            let bytes = buffer.withLockedValue { buffer in
                let bytes = buffer
                buffer.removeAll(keepingCapacity: true)
                return bytes
            }
            pending.unlock(withValue: 0)
            guard !bytes.isEmpty else { return }
            bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress else { return }
                var offset = 0
                while offset < raw.count {
                    let written = write(descriptor, base + offset, raw.count - offset)
                    if written < 0, errno == EINTR { continue }
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}
