public import Config
public import Game
import Logging
import Metrics

/// The game rules applied to stored games: creating, moving (with the computer's reply) and
/// rematches. Knows nothing of HTTP beyond the ``APIError`` it throws.
public struct GameService: Sendable {
    public let settings: Settings
    public let store: any GameStore
    public let computer: ComputerMoveQueue
    /// Where stored changes are announced to this process's live streams.
    public let events: GameEvents
    /// The quick-match queue: the store's own when it is shared by processes, else this process's.
    public let matches: any MatchQueue
    /// Games as this process last wrote them, the starting point of the next move; none for the
    /// memory store, whose own reads cost no more.
    let recent: RecentGames?
    /// Wall-clock milliseconds since 1970, for turn clocks.
    public var now: @Sendable () -> Int64 = WallClock.milliseconds

    public init(settings: Settings, store: any GameStore, computer: ComputerMoveQueue, events: GameEvents = GameEvents()) {
        self.init(settings: settings, store: store, computer: computer, events: events, recent: store is MemoryGameStore ? nil : RecentGames())
    }

    init(settings: Settings, store: any GameStore, computer: ComputerMoveQueue, events: GameEvents, recent: RecentGames?) {
        self.settings = settings
        self.store = store
        self.computer = computer
        self.events = events
        self.recent = recent
        matches = store as? any MatchQueue ?? LocalMatchQueue(store: store)
    }

    /// A new game; when the computer moves first, it has already moved.
    public func create(opponent: OpponentKind?) async throws(APIError) -> GameRecord {
        var record = GameRecord(
            id: .random(),
            state: GameState(shape: settings.board.shape, rule: settings.board.rule),
            opponent: opponent ?? settings.opponent.kind,
            computerSeat: settings.opponent.computerSeat
        )
        record.state = try await computerReplies(to: record)
        try await run("insert") { () throws(StoreError) in try await store.insert(record) }
        recent?.remember(record)
        GameMetrics.gamesCreated[record.opponent.rawValue]?.increment()
        if record.state.version > 0 { GameMetrics.moves["computer"]?.increment() }
        return record
    }

    /// A new online game between two browsers. The creator holds the first seat, with the
    /// returned token; the second is open for whoever claims it.
    public func createOnline() async throws(APIError) -> (GameRecord, SeatToken) {
        let token = SeatToken.random()
        let record = GameRecord(
            id: .random(),
            state: GameState(shape: settings.board.shape, rule: settings.board.rule),
            opponent: .human,
            computerSeat: settings.opponent.computerSeat,
            seats: Seats(first: token.hash),
            clock: settings.online.turnSeconds.map { TurnClock(seconds: $0) }
        )
        try await run("insert") { () throws(StoreError) in try await store.insert(record) }
        recent?.remember(record)
        GameMetrics.gamesCreated["online"]?.increment()
        return (record, token)
    }

    /// Gives the open seat of an online game to the caller. A caller whose `bearer` token already
    /// holds a seat gets that seat back, and no new token.
    public func claimSeat(in id: String, bearer: SeatToken?) async throws(APIError) -> SeatClaimResult {
        let record = try await game(id)
        guard let seats = record.seats else {
            throw APIError(.conflict, "not_online", "this game is played at one screen; it has no seats to take")
        }
        if let bearer, let seat = seats.seat(of: bearer.hash) {
            return SeatClaimResult(record: record, seat: seat, token: nil)
        }
        let token = SeatToken.random()
        let claim = try await run("seat") { () throws(StoreError) in try await store.claimSeat(in: record.id, token: token.hash, at: now()) }
        switch claim {
        case .claimed(let seat, let record):
            recent?.remember(record)
            events.publish(record)
            return SeatClaimResult(record: record, seat: seat, token: token)
        case .noOpenSeat:
            throw APIError(.conflict, "seats_taken", "both seats are taken; you can watch the game")
        case .notFound:
            throw .notFound(id)
        }
    }

    /// The seat `bearer` holds in `record`, or `nil` for a game that has no seats.
    /// Throws 401 without a token and 403 with one that holds no seat of this game.
    public func seat(in record: GameRecord, bearer: Bearer) throws(APIError) -> Seat? {
        guard let seats = record.seats else { return nil }
        switch bearer {
        case .none:
            throw APIError(
                .unauthorized,
                "token_required",
                "this is an online game: send your seat's token as `Authorization: Bearer <token>`; spectators cannot move"
            )
        case .malformed:
            throw APIError(.forbidden, "not_a_player", "the Authorization header holds no valid seat token for this game")
        case .token(let token):
            guard let seat = seats.seat(of: token.hash) else {
                throw APIError(.forbidden, "not_a_player", "that token holds no seat in this game; spectators cannot move")
            }
            return seat
        }
    }

    /// The game as stored, ended first if its turn clock has run out.
    public func game(_ id: String) async throws(APIError) -> GameRecord {
        guard let gameID = GameID(id) else { throw .notFound(id) }
        guard let record = try await run("read", { () throws(StoreError) in try await store.game(gameID) }) else {
            throw .notFound(id)
        }
        return try await endingIfTimeIsUp(record)
    }

    /// Plays `cell` for the human whose turn it is, then the computer's reply, and stores both
    /// only if nobody changed the game meanwhile. A row and column are read with the game's own
    /// board shape, which may differ from this server's config (a deploy that changed the board).
    public func move(in id: String, cell: Cell, expectedVersion: Int?, bearer: Bearer = .none) async throws(APIError) -> GameRecord {
        let remembered = GameID(id).flatMap { recent?.game($0) }
        var record: GameRecord
        if let remembered {
            record = remembered
        } else {
            record = try await game(id)
        }
        var fromMemory = remembered != nil
        if record.clock?.hasRunOut(at: now()) == true {
            record = try await endingIfTimeIsUp(record)
            fromMemory = false
        }
        while true {
            let next: GameRecord
            let humanSeat: Seat?
            let index: Int
            do {
                (next, humanSeat, index) = try await play(cell, in: record, expectedVersion: expectedVersion, bearer: bearer)
            } catch {
                guard fromMemory else { throw error }
                // Maybe only this process's copy says so (another process moved or took a
                // seat): decide on the stored game.
                record = try await game(id)
                fromMemory = false
                continue
            }
            let result = try await run("update") { () throws(StoreError) in try await store.update(next, expectedVersion: record.version) }
            switch result {
            case .updated:
                stored(next)
                GameMetrics.moves["player"]?.increment()
                if next.version - record.version > 1 { GameMetrics.moves["computer"]?.increment() }
                switch next.state.outcome {
                case .won: GameMetrics.gamesFinished["won"]?.increment()
                case .draw: GameMetrics.gamesFinished["draw"]?.increment()
                case .playing: break
                }
                return next
            case .notFound:
                throw gone(record.id)
            case .conflict(let current):
                recent?.remember(current)
                if fromMemory {
                    // This process's copy was stale: compute the move again from the stored game.
                    record = current
                    fromMemory = false
                    continue
                }
                // Say why in terms of the game as it is now: usually the cell went to the other move.
                do {
                    try current.state.validate(index, by: humanSeat)
                } catch {
                    throw apiError(for: error, in: current)
                }
                throw APIError(
                    .conflict,
                    "stale_version",
                    "another move was made first (the game is now at version \(current.version)); reload it and try again"
                )
            }
        }
    }

    /// `record` after the caller's move and the computer's reply, not yet stored.
    private func play(
        _ cell: Cell,
        in record: GameRecord,
        expectedVersion: Int?,
        bearer: Bearer
    ) async throws(APIError)
        -> (GameRecord, Seat?, Int)
    {
        let playerSeat = try seat(in: record, bearer: bearer)
        let index = try cell.index(on: record.state.shape)
        if let expectedVersion, expectedVersion != record.version {
            throw APIError(.conflict, "stale_version", "the game is at version \(record.version), not \(expectedVersion); reload it and try again")
        }
        let humanSeat: Seat? = record.opponent == .computer ? record.computerSeat.opponent : playerSeat
        var next = record
        do {
            try next.state.play(index, by: humanSeat)
        } catch {
            throw apiError(for: error, in: record)
        }
        next.state = try await computerReplies(to: next)
        if let clock = record.clock {
            next.clock = next.state.isOver || record.seats?.open != nil ? clock.stopped : clock.started(at: now())
        }
        return (next, humanSeat, index)
    }

    /// The game that follows a finished one, with the same settings; the same one every time.
    /// In an online game only a player may ask, and the players swap seats so that the other one
    /// starts.
    public func rematch(of id: String, bearer: Bearer = .none) async throws(APIError) -> GameRecord {
        let original = try await game(id)
        _ = try seat(in: original, bearer: bearer)
        guard original.state.isOver else {
            throw APIError(.conflict, "game_not_over", "a rematch can start only when the game is over")
        }
        var fresh = GameRecord(
            id: .random(),
            state: GameState(shape: original.state.shape, rule: original.state.rule),
            opponent: original.opponent,
            computerSeat: original.computerSeat,
            seats: original.seats?.swapped,
            scoreBefore: original.score,
            clock: original.clock.map { clock in original.seats?.open == nil ? clock.started(at: now()) : clock.stopped }
        )
        fresh.state = try await computerReplies(to: fresh)
        let made = fresh
        guard let gameID = GameID(id),
            let record = try await run("rematch", { () throws(StoreError) in try await store.rematch(of: gameID) { _ in made } })
        else { throw .notFound(id) }
        recent?.remember(record)
        if record.id == made.id {
            var linked = original
            linked.rematchID = made.id
            recent?.remember(linked)
            events.publish(linked)
        }
        return record
    }

    private func computerReplies(to record: GameRecord) async throws(APIError) -> GameState {
        var state = record.state
        guard record.opponent == .computer, state.next == record.computerSeat else { return state }
        let reply: Int?
        let start = ContinuousClock.now
        do {
            reply = try await computer.move(in: state, by: settings.opponent.computer)
        } catch {
            throw .busy
        }
        GameMetrics.computerThink.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        if let reply {
            do {
                try state.play(reply)
            } catch {
                throw APIError(.serviceUnavailable, "busy", "the computer could not move; try again")
            }
        }
        return state
    }

    func apiError(for error: MoveError, in record: GameRecord) -> APIError {
        let players = settings.players
        switch error {
        case .outsideBoard(let index, let count):
            return APIError(.badRequest, "outside_board", "cell \(index) is outside the board; cells are 0 to \(count - 1)")
        case .cellTaken(let index, let seat):
            return APIError(.conflict, "cell_taken", "cell \(index) is already taken by \(players.symbol(for: seat))")
        case .gameOver(let outcome):
            let how: String =
                switch (outcome, record.state.forfeit) {
                case (_, .resigned(let seat)): "\(players.symbol(for: seat)) resigned"
                case (_, .timedOut(let seat)): "\(players.symbol(for: seat)) ran out of time"
                case (.won(let winner, _), nil): "\(players.symbol(for: winner)) won"
                case (.draw, nil): "it was a draw"
                case (.playing, nil): "it ended"
                }
            return APIError(.conflict, "game_over", "the game is over: \(how); start a new game or a rematch")
        case .notYourTurn(let next):
            return APIError(.conflict, "not_your_turn", "it is \(players.symbol(for: next))'s turn")
        }
    }

    /// `next` was stored: this process remembers it and its live streams show it.
    func stored(_ next: GameRecord) {
        recent?.remember(next)
        events.publish(next)
    }

    /// The game was deleted (expired) meanwhile: forgotten here, and 404 to the caller.
    func gone(_ id: GameID) -> APIError {
        recent?.forget(id)
        return .notFound(id.rawValue)
    }

    /// One store operation, timed and counted as `operation` in the metrics.
    func run<T>(_ operation: String, _ body: () async throws(StoreError) -> T) async throws(APIError) -> T {
        let start = ContinuousClock.now
        do {
            let value = try await body()
            GameMetrics.storeDuration[operation]?.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
            return value
        } catch {
            GameMetrics.storeErrors[operation]?.increment()
            throw .unavailable(error)
        }
    }
}

/// What a seat claim gave: the game, the caller's seat, and a new token unless the caller already
/// held the seat.
public struct SeatClaimResult: Sendable {
    public var record: GameRecord
    public var seat: Seat
    public var token: SeatToken?
}

/// A cell named by a move: its index, or its row and column on the game's board.
public enum Cell: Sendable, Equatable {
    case index(Int)
    case rowColumn(row: Int, col: Int)

    /// The cell's index on `shape`; 400 `outside_board` when the board has no such cell.
    public func index(on shape: BoardShape) throws(APIError) -> Int {
        switch self {
        case .index(let index):
            guard (0..<shape.cellCount).contains(index) else {
                throw APIError(.badRequest, "outside_board", "cell \(index) is outside the board; cells are 0 to \(shape.cellCount - 1)")
            }
            return index
        case .rowColumn(let row, let col):
            guard shape.contains(row: row, col: col) else {
                throw APIError(
                    .badRequest,
                    "outside_board",
                    "row \(row), col \(col) is outside the board; rows are 0 to \(shape.rows - 1), cols 0 to \(shape.cols - 1)"
                )
            }
            return shape.index(row: row, col: col)
        }
    }
}

/// The `Authorization: Bearer` credential of a request: absent, unreadable, or a token.
public enum Bearer: Sendable {
    case none
    case malformed
    case token(SeatToken)

    var token: SeatToken? {
        if case .token(let token) = self { return token }
        return nil
    }
}
