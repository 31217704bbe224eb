import Locking

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Fixed one-minute windows of request counts per client, bounded in memory.
///
/// A client is a string (its address); at most `maximumClients` are tracked, and when full the
/// counts of past windows are dropped first, then all counts, which errs on the side of serving.
public final class RateLimiter: Sendable {
    private struct Window {
        var minute: Int64
        var count: Int
    }

    private let perMinute: Int
    private let maximumClients: Int
    private let windows = Mutex<[String: Window]>([:])
    private let clock: @Sendable () -> Int64

    public init(perMinute: Int, maximumClients: Int = 100_000, secondsSinceEpoch: @escaping @Sendable () -> Int64 = RateLimiter.wallClockSeconds) {
        self.perMinute = perMinute
        self.maximumClients = maximumClients
        clock = secondsSinceEpoch
    }

    /// Counts one request from `client`; `false` when it is over the limit.
    public func admit(_ client: String) -> Bool {
        let minute = clock() / 60
        return windows.withLock { windows in
            if windows.count >= maximumClients, windows[client] == nil {
                windows = windows.filter { $0.value.minute == minute }
                if windows.count >= maximumClients { windows.removeAll(keepingCapacity: true) }
            }
            var window = windows[client] ?? Window(minute: minute, count: 0)
            if window.minute != minute { window = Window(minute: minute, count: 0) }
            guard window.count < perMinute else { return false }
            window.count += 1
            windows[client] = window
            return true
        }
    }

    /// Seconds until the current window ends and every client's budget is full again.
    public var secondsToNextWindow: Int {
        Int(60 - clock() % 60)
    }

    public static let wallClockSeconds: @Sendable () -> Int64 = { Int64(time(nil)) }
}
