public import Config
public import Game
import Logging

/// The game rules applied to stored games: creating, moving (with the computer's reply) and
/// rematches. Knows nothing of HTTP beyond the ``APIError`` it throws.
public struct GameService: Sendable {
    public let settings: Settings
    public let store: any GameStore
    public let computer: ComputerMoveQueue

    public init(settings: Settings, store: any GameStore, computer: ComputerMoveQueue) {
        self.settings = settings
        self.store = store
        self.computer = computer
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
        try await run { () throws(StoreError) in try await store.insert(record) }
        return record
    }

    public func game(_ id: String) async throws(APIError) -> GameRecord {
        guard let gameID = GameID(id) else { throw .notFound(id) }
        guard let record = try await run({ () throws(StoreError) in try await store.game(gameID) }) else {
            throw .notFound(id)
        }
        return record
    }

    /// Plays `index` for the human whose turn it is, then the computer's reply, and stores both
    /// only if nobody changed the game meanwhile.
    public func move(in id: String, index: Int, expectedVersion: Int?) async throws(APIError) -> GameRecord {
        var record = try await game(id)
        let original = record.version
        if let expectedVersion, expectedVersion != original {
            throw APIError(.conflict, "stale_version", "the game is at version \(original), not \(expectedVersion); reload it and try again")
        }
        let humanSeat: Seat? = record.opponent == .computer ? record.computerSeat.opponent : nil
        do {
            try record.state.play(index, by: humanSeat)
        } catch {
            throw apiError(for: error, in: record)
        }
        record.state = try await computerReplies(to: record)
        let result = try await run { () throws(StoreError) in try await store.update(record, expectedVersion: original) }
        switch result {
        case .updated:
            return record
        case .notFound:
            throw .notFound(id)
        case .conflict(let current):
            // Say why in terms of the game as it is now: usually the cell went to the other move.
            do {
                try current.state.validate(index, by: humanSeat)
            } catch {
                throw apiError(for: error, in: current)
            }
            throw APIError(.conflict, "stale_version", "another move was made first (the game is now at version \(current.version)); reload it and try again")
        }
    }

    /// The game that follows a finished one, with the same settings; the same one every time.
    public func rematch(of id: String) async throws(APIError) -> GameRecord {
        let original = try await game(id)
        guard original.state.isOver else {
            throw APIError(.conflict, "game_not_over", "a rematch can start only when the game is over")
        }
        var fresh = GameRecord(
            id: .random(),
            state: GameState(shape: original.state.shape, rule: original.state.rule),
            opponent: original.opponent,
            computerSeat: original.computerSeat
        )
        fresh.state = try await computerReplies(to: fresh)
        let made = fresh
        guard let gameID = GameID(id),
            let record = try await run({ () throws(StoreError) in try await store.rematch(of: gameID) { _ in made } })
        else { throw .notFound(id) }
        return record
    }

    private func computerReplies(to record: GameRecord) async throws(APIError) -> GameState {
        var state = record.state
        guard record.opponent == .computer, state.next == record.computerSeat else { return state }
        let reply: Int?
        do {
            reply = try await computer.move(in: state, by: settings.opponent.computer)
        } catch {
            throw .busy
        }
        if let reply {
            do {
                try state.play(reply)
            } catch {
                throw APIError(.serviceUnavailable, "busy", "the computer could not move; try again")
            }
        }
        return state
    }

    private func apiError(for error: MoveError, in record: GameRecord) -> APIError {
        let players = settings.players
        switch error {
        case .outsideBoard(let index, let count):
            return APIError(.badRequest, "outside_board", "cell \(index) is outside the board; cells are 0 to \(count - 1)")
        case .cellTaken(let index, let seat):
            return APIError(.conflict, "cell_taken", "cell \(index) is already taken by \(players.symbol(for: seat))")
        case .gameOver(let outcome):
            let how: String =
                switch outcome {
                case .won(let winner, _): "\(players.symbol(for: winner)) won"
                case .draw: "it was a draw"
                case .playing: "it ended"
                }
            return APIError(.conflict, "game_over", "the game is over: \(how); start a new game or a rematch")
        case .notYourTurn(let next):
            return APIError(.conflict, "not_your_turn", "it is \(players.symbol(for: next))'s turn")
        }
    }

    private func run<T>(_ body: () async throws(StoreError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            throw .unavailable(error.description)
        }
    }
}
