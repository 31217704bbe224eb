public import Game
import ServiceLifecycle

/// A player's place in the quick-match queue as the API shows it.
public enum MatchAnswer: Sendable {
    case waiting
    /// Paired: the game and the seat the ticket holds in it.
    case matched(GameRecord, Seat)
}

extension GameService {
    /// The queue of this server's board and rule: players of another board (a variant sharing the
    /// database) are never paired with these.
    public var matchQueueName: String {
        let shape = settings.board.shape
        return "\(shape.rows)x\(shape.cols)k\(shape.winLength)-\(settings.board.rule.rawValue)"
    }

    public var matchLimits: MatchLimits {
        let match = settings.online.match
        return MatchLimits(perClient: match.perClient, max: match.max, waitSeconds: match.waitSeconds)
    }

    /// Puts a new ticket in the queue for `client` (an address), or pairs it at once with the
    /// player waiting longest. Who starts is a coin toss. 429 when the address has its share of
    /// the queue waiting, 503 when the queue is full.
    public func joinMatch(client: String) async throws(APIError) -> (SeatToken, MatchAnswer) {
        let ticket = SeatToken.random()
        let entry = MatchEntry(ticket: ticket.hash, queue: matchQueueName, client: client)
        let settings = settings
        let startedAt = now()
        let joined = try await run("match") { () throws(StoreError) in
            try await matches.join(entry, limits: matchLimits) { waiting, joining in
                let waitingStarts = Bool.random()
                return GameRecord(
                    id: .random(),
                    state: GameState(shape: settings.board.shape, rule: settings.board.rule),
                    opponent: .human,
                    computerSeat: settings.opponent.computerSeat,
                    seats: waitingStarts ? Seats(first: waiting, second: joining) : Seats(first: joining, second: waiting),
                    clock: settings.online.match.turnSeconds.map { TurnClock(seconds: $0).started(at: startedAt) }
                )
            }
        }
        switch joined {
        case .waiting:
            return (ticket, .waiting)
        case .matched(let id, let seat, let record):
            let game: GameRecord
            if let record {
                recent?.remember(record)
                GameMetrics.gamesCreated["match"]?.increment()
                game = record
            } else {
                game = try await self.game(id.rawValue)
            }
            return (ticket, .matched(game, seat))
        case .refused(.clientFull):
            GameMetrics.refused("queue_full")
            throw APIError(
                .tooManyRequests,
                "too_many_waiting",
                "this address already has \(settings.online.match.perClient) players waiting for an opponent; wait in one of them",
                retryAfterSeconds: 10
            )
        case .refused(.queueFull):
            GameMetrics.refused("queue_full")
            throw APIError(.serviceUnavailable, "queue_full", "the queue for an opponent is full; try again shortly", retryAfterSeconds: 5)
        }
    }

    /// Where `ticket` stands, waiting up to `wait` for a pairing (less when the server shuts
    /// down); 404 `not_queued` for a ticket the queue does not hold.
    public func matchStatus(ticket: SeatToken, wait: Duration) async throws(APIError) -> MatchAnswer {
        let until = ContinuousClock.now + wait
        while true {
            let status = try await run("match") { () throws(StoreError) in try await matches.status(of: ticket.hash, limits: matchLimits) }
            switch status {
            case .matched(let id, let seat):
                return .matched(try await game(id.rawValue), seat)
            case .notQueued:
                throw notQueued
            case .waiting:
                if ContinuousClock.now >= until || Task.isShuttingDownGracefully || Task.isCancelled { return .waiting }
                try? await Task.sleep(for: min(matches.pollInterval, until - ContinuousClock.now))
            }
        }
    }

    /// Takes `ticket` out of the queue: `nil` once it has left, or the game it was already paired into.
    public func leaveMatch(ticket: SeatToken) async throws(APIError) -> MatchAnswer? {
        let status = try await run("match") { () throws(StoreError) in try await matches.leave(ticket.hash) }
        switch status {
        case .matched(let id, let seat): return .matched(try await game(id.rawValue), seat)
        case .waiting, .notQueued: return nil
        }
    }

    var notQueued: APIError {
        APIError(
            .notFound,
            "not_queued",
            "this ticket is not in the queue: it left, its page stopped asking for half a minute, or nobody was found within "
                + "\(settings.online.match.waitSeconds) s; join again"
        )
    }
}
