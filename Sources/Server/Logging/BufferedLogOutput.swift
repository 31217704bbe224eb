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
    private struct Waiting {
        var bytes: [UInt8] = []
        /// The writer found nothing to write for a while and waits to be woken.
        var writerAsleep = false
    }
    private let waiting = NIOLockedValueBox(Waiting())
    /// 1 when an append has woken the sleeping writer.
    private let wake = ConditionLock(value: 0)
    /// Held while bytes taken from `waiting` are written, so that writers keep their order.
    private let writing = NIOLock()
    private let writer: NIOThreadPool

    /// How often the writer takes the waiting lines while lines keep coming.
    static let pollMicroseconds: UInt32 = 1000
    /// Empty polls after which the writer sleeps until the next line (no work while idle).
    static let pollsBeforeSleeping = 20

    public init(descriptor: Int32, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        writer = NIOThreadPool(numberOfThreads: 1)
        writer.start()
        writer.submit { [self] state in
            guard case .active = state else { return }
            var emptyPolls = 0
            while true {
                if writeWaiting() {
                    emptyPolls = 0
                } else {
                    emptyPolls += 1
                }
                if emptyPolls >= Self.pollsBeforeSleeping {
                    let sleeping = waiting.withLockedValue { w in
                        w.writerAsleep = w.bytes.isEmpty
                        return w.writerAsleep
                    }
                    if sleeping {
                        wake.lock(whenValue: 1)
                        wake.unlock(withValue: 0)
                    }
                    emptyPolls = 0
                    continue
                }
                usleep(Self.pollMicroseconds)
            }
        }
    }

    /// Queues `line` (which should end in a newline). Loggers never wait for the writer, and wake
    /// it only when it sleeps after an idle spell; a busy server's lines go out in one write per
    /// ``pollMicroseconds``.
    public func append(_ line: [UInt8]) {
        let (count, wakeWriter) = waiting.withLockedValue { w in
            w.bytes.append(contentsOf: line)
            let asleep = w.writerAsleep
            w.writerAsleep = false
            return (w.bytes.count, asleep)
        }
        if wakeWriter {
            wake.lock()
            wake.unlock(withValue: 1)
        }
        if count > capacity { writeWaiting() }
    }

    /// Writes everything appended so far; returns when it is written.
    public func flush() {
        writeWaiting()
    }

    /// Writes the waiting bytes; whether there were any.
    @discardableResult
    private func writeWaiting() -> Bool {
        writing.withLock {
            let bytes = waiting.withLockedValue { w in
                var taken: [UInt8] = []
                swap(&taken, &w.bytes)
                return taken
            }
            guard !bytes.isEmpty else { return false }
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
            return true
        }
    }
}
