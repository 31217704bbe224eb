#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An online game's turn clock: each move may take ``seconds``; the player to move who lets
/// ``deadline`` pass loses the game.
///
/// The deadline is wall-clock time stored with the game, so that any process enforces it and a
/// restart keeps it. It runs only while both seats are taken and the game is on.
public struct TurnClock: Hashable, Sendable {
    public var seconds: Int
    /// When the current turn ends, in milliseconds since 1970 (UTC); `nil` while a seat is open
    /// and once the game is over.
    public var deadline: Int64?

    public init(seconds: Int, deadline: Int64? = nil) {
        self.seconds = seconds
        self.deadline = deadline
    }

    /// The clock with a new turn starting at `now`.
    public func started(at now: Int64) -> TurnClock {
        TurnClock(seconds: seconds, deadline: now + Int64(seconds) * 1000)
    }

    /// The clock stopped: the game is over.
    public var stopped: TurnClock { TurnClock(seconds: seconds, deadline: nil) }

    /// Whether the current turn's time is up at `now`.
    public func hasRunOut(at now: Int64) -> Bool {
        deadline.map { now >= $0 } ?? false
    }
}

/// Wall-clock time as the stores and turn clocks keep it.
public enum WallClock {
    /// Milliseconds since 1970 (UTC).
    public static let milliseconds: @Sendable () -> Int64 = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec / 1_000_000)
    }

    /// `milliseconds` as ISO 8601 in UTC, e.g. `2026-12-03T20:15:07.250Z`.
    public static func iso8601(milliseconds: Int64) -> String {
        let (days, msOfDay) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (d, ms) = msOfDay < 0 ? (days - 1, msOfDay + 86_400_000) : (days, msOfDay)
        // Howard Hinnant's civil-from-days.
        let z = d + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(ms / 3_600_000, 2)):\(pad(ms / 60_000 % 60, 2)):"
            + "\(pad(ms / 1000 % 60, 2)).\(pad(ms % 1000, 3))Z"
    }
}
