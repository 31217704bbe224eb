import Game
import Locking

/// The quick-match queue in this process's memory, for the backends that one process owns
/// (`memory`, `sqlite`): every player of the queue reaches this process, so pairing under one lock
/// is pairing exactly once.
public final class LocalMatchQueue: MatchQueue {
    private struct Entry {
        var entry: MatchEntry
        var joined: ContinuousClock.Instant
        var seen: ContinuousClock.Instant
        var status: MatchStatus
    }

    private let store: any GameStore
    private let now: @Sendable () -> ContinuousClock.Instant
    private struct Tickets {
        /// Every ticket known, waiting or paired.
        var entries: [TokenHash: Entry] = [:]
        /// The waiting tickets that can be paired, in the order they joined.
        var order: [TokenHash] = []
        var lastPurge: ContinuousClock.Instant?
    }

    private let tickets = Mutex(Tickets())

    public let pollInterval = Duration.milliseconds(50)

    public init(store: any GameStore, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.store = store
        self.now = now
    }

    public func join(
        _ entry: MatchEntry,
        limits: MatchLimits,
        makeGame: @escaping @Sendable (TokenHash, TokenHash) -> GameRecord
    ) async throws(StoreError) -> MatchJoin {
        let time = now()
        enum Step {
            case answer(MatchJoin)
            case pair(with: Entry)
        }
        let step: Step = tickets.withLock { t in
            Self.purge(&t, at: time, limits: limits)
            if let known = t.entries[entry.ticket] {
                switch known.status {
                case .waiting: return .answer(.waiting)
                case .matched(let id, let seat): return .answer(.matched(id, seat, nil))
                case .notQueued: break
                }
            }
            if let partnerIndex = t.order.firstIndex(where: { ticket in
                t.entries[ticket].map { $0.entry.queue == entry.queue && Self.isLive($0, at: time, limits: limits) } ?? false
            }),
                let partner = t.entries[t.order[partnerIndex]]
            {
                // Out of the waiting order while its game is stored: nobody else can take it.
                t.order.remove(at: partnerIndex)
                return .pair(with: partner)
            }
            if t.order.count(where: { t.entries[$0]?.entry.client == entry.client }) >= limits.perClient {
                return .answer(.refused(.clientFull))
            }
            if t.order.count >= limits.max { return .answer(.refused(.queueFull)) }
            t.entries[entry.ticket] = Entry(entry: entry, joined: time, seen: time, status: .waiting)
            t.order.append(entry.ticket)
            return .answer(.waiting)
        }
        switch step {
        case .answer(let answer):
            return answer
        case .pair(let partner):
            let game = makeGame(partner.entry.ticket, entry.ticket)
            do {
                try await store.insert(game)
            } catch {
                tickets.withLock { t in
                    if t.entries[partner.entry.ticket] != nil { t.order.insert(partner.entry.ticket, at: 0) }
                }
                throw error
            }
            let mine = game.seats?.seat(of: entry.ticket) ?? .second
            tickets.withLock { t in
                t.entries[partner.entry.ticket]?.status = .matched(game.id, mine.opponent)
                t.entries[entry.ticket] = Entry(entry: entry, joined: time, seen: time, status: .matched(game.id, mine))
            }
            return .matched(game.id, mine, game)
        }
    }

    public func status(of ticket: TokenHash, limits: MatchLimits) -> MatchStatus {
        let time = now()
        return tickets.withLock { t in
            Self.purge(&t, at: time, limits: limits)
            guard let known = t.entries[ticket] else { return .notQueued }
            if case .waiting = known.status, t.order.contains(ticket), !Self.isLive(known, at: time, limits: limits) {
                t.entries[ticket] = nil
                t.order.removeAll { $0 == ticket }
                return .notQueued
            }
            t.entries[ticket]?.seen = time
            return t.entries[ticket]?.status ?? .notQueued
        }
    }

    public func leave(_ ticket: TokenHash) -> MatchStatus {
        tickets.withLock { t in
            guard let known = t.entries[ticket] else { return .notQueued }
            guard case .waiting = known.status else { return known.status }
            t.entries[ticket] = nil
            t.order.removeAll { $0 == ticket }
            return .notQueued
        }
    }

    /// Whether a waiting ticket may still be paired: its page asked lately, and it has not waited
    /// the longest allowed.
    private static func isLive(_ known: Entry, at time: ContinuousClock.Instant, limits: MatchLimits) -> Bool {
        time - known.seen < .seconds(limits.staleSeconds) && time - known.joined < .seconds(limits.waitSeconds)
    }

    /// Drops waiting tickets gone stale or waiting too long, and paired ones kept long enough;
    /// at most once a second, so that waiting requests' polls stay cheap.
    private static func purge(_ t: inout Tickets, at time: ContinuousClock.Instant, limits: MatchLimits) {
        if let last = t.lastPurge, time - last < .seconds(1) { return }
        t.lastPurge = time
        var dropped = false
        let pairable = Set(t.order)
        for (ticket, known) in t.entries {
            let drop: Bool
            if case .waiting = known.status {
                // A ticket out of the order is being paired: never dropped meanwhile.
                drop = !isLive(known, at: time, limits: limits) && pairable.contains(ticket)
            } else {
                drop = time - known.seen >= .seconds(limits.keepSeconds)
            }
            if drop {
                t.entries[ticket] = nil
                dropped = true
            }
        }
        if dropped { t.order.removeAll { t.entries[$0] == nil } }
    }
}
