import Config
import Locking
import NIOCore

/// Every open HTTP connection of the process, against two caps shared by every event loop: the
/// process's (`limit`) and each client address's (`perClient`).
///
/// - A connection whose peer already holds `perClient` connections is refused. Peers that are
///   trusted proxies are exempt: a load balancer carries many clients over few connections, so
///   behind one the per-request limits, keyed on `X-Forwarded-For`, apply instead.
/// - At the process cap, the connection idle longest (no request in progress) is closed to make
///   room. One that has sent nothing yet counts as idle since it was accepted, but only once it
///   has had `firstRequestGrace` to send its first request: a burst of new connections does not
///   close each other before they are read. When none is idle, the connection whose request body
///   has been arriving longest gives way, once it has been at it for `firstRequestGrace` (a
///   client trickling its body is not busy, only slow). Only when no connection can give way is
///   the new one refused.
/// - Counts are exact at every moment: a connection chosen for closing stops counting at once,
///   not when its close completes, and releasing it later changes nothing.
public final class ConnectionTable: Sendable {
    /// What ``admit(_:peer:)`` decided.
    enum Admission: Equatable, Sendable {
        /// Counted under this ticket, which ``busy(_:)``, ``idle(_:)`` and ``release(_:)`` take.
        case admitted(Int)
        /// Every connection is busy and the process holds `limit`.
        case processFull
        /// The peer already holds `perClient` connections.
        case clientFull
    }

    public let limit: Int
    public let perClient: Int
    private let trustedProxies: [CIDR]
    private let firstRequestGrace: UInt64
    private let state = Mutex(State())

    private struct Entry {
        let channel: any Channel
        /// The address counted against `perClient`; `nil` for trusted proxies.
        let client: String?
        /// When its last request ended (or it was accepted); `nil` while a request is in progress.
        var idleSince: UInt64?
        /// Whether a request has ended on it.
        var served = false
        /// When the head of the request whose body is still arriving was read; `nil` otherwise.
        var receivingSince: UInt64?
    }

    private struct State {
        var nextTicket = 0
        var entries: [Int: Entry] = [:]
        var perClient: [String: Int] = [:]
        var evicted = 0

        /// The connection to close for room: the one idle longest, else the one whose body has
        /// been arriving longest; either only after `grace`, unless it has served a request.
        func victim(now: UInt64, grace: UInt64) -> Int? {
            var idle: (ticket: Int, since: UInt64)?
            var receiving: (ticket: Int, since: UInt64)?
            for (ticket, entry) in entries {
                if let since = entry.idleSince, since < idle?.since ?? .max, entry.served || now &- since >= grace {
                    idle = (ticket, since)
                }
                if let since = entry.receivingSince, since < receiving?.since ?? .max, now &- since >= grace {
                    receiving = (ticket, since)
                }
            }
            return idle?.ticket ?? receiving?.ticket
        }

        mutating func remove(_ ticket: Int) -> Entry? {
            guard let entry = entries.removeValue(forKey: ticket) else { return nil }
            if let client = entry.client {
                let left = perClient[client, default: 1] - 1
                perClient[client] = left > 0 ? left : nil
            }
            return entry
        }
    }

    public init(limit: Int, perClient: Int, trustedProxies: [CIDR] = [], firstRequestGrace: Duration = .seconds(1)) {
        self.limit = limit
        self.perClient = perClient
        self.trustedProxies = trustedProxies
        let (seconds, attoseconds) = firstRequestGrace.components
        self.firstRequestGrace = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    /// Counts `channel`, whose peer is `peer` (as NIO prints addresses), closing the connection
    /// idle longest when the process is at its cap.
    func admit(_ channel: any Channel, peer: String?) -> Admission {
        let client = peer.flatMap { peer -> String? in
            guard !trustedProxies.isEmpty, let bytes = IPAddressBytes.parse(peer) else { return peer }
            return trustedProxies.contains { $0.contains(bytes: bytes) } ? nil : peer
        }
        let now = NIODeadline.now().uptimeNanoseconds
        var victim: (any Channel)?
        let admission = state.withLock { state -> Admission in
            if let client, state.perClient[client, default: 0] >= perClient { return .clientFull }
            if state.entries.count >= limit {
                guard let ticket = state.victim(now: now, grace: firstRequestGrace), let entry = state.remove(ticket) else {
                    return .processFull
                }
                victim = entry.channel
                state.evicted += 1
            }
            let ticket = state.nextTicket
            state.nextTicket += 1
            state.entries[ticket] = Entry(channel: channel, client: client, idleSince: now)
            if let client { state.perClient[client, default: 0] += 1 }
            return .admitted(ticket)
        }
        if let victim {
            GameMetrics.idleConnectionClosed()
            victim.close(promise: nil)
        }
        return admission
    }

    /// A request's head arrived on the connection: it is not closed to make room until the request
    /// ends, unless its body stops arriving.
    func busy(_ ticket: Int) {
        let now = NIODeadline.now().uptimeNanoseconds
        state.withLock { state in
            state.entries[ticket]?.idleSince = nil
            state.entries[ticket]?.receivingSince = now
        }
    }

    /// The request's body has fully arrived: the connection is busy until its response ends.
    func received(_ ticket: Int) {
        state.withLock { $0.entries[ticket]?.receivingSince = nil }
    }

    /// The connection's requests have all ended.
    func idle(_ ticket: Int) {
        let now = NIODeadline.now().uptimeNanoseconds
        state.withLock { state in
            state.entries[ticket]?.idleSince = now
            state.entries[ticket]?.served = true
        }
    }

    /// The connection closed (nothing happens for one already closed to make room).
    func release(_ ticket: Int) {
        state.withLock { _ = $0.remove(ticket) }
    }

    /// Connections counted now.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Connections counted now against `client`'s cap.
    public func count(of client: String) -> Int { state.withLock { $0.perClient[client, default: 0] } }

    /// Idle connections closed to make room since start-up.
    public var evicted: Int { state.withLock { $0.evicted } }
}
