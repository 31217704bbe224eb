public import Config
public import Game

/// A stored game: its state plus how it is played.
public struct GameRecord: Hashable, Sendable {
    public let id: GameID
    public var state: GameState
    public let opponent: OpponentKind
    /// The seat the computer plays in a game against the computer.
    public let computerSeat: Seat
    /// The game started by asking for a rematch of this one.
    public var rematchID: GameID?
    /// For an online game between two browsers, who holds which seat; `nil` for a game played at
    /// one screen or against the computer.
    public var seats: Seats?
    /// The results of the games before this one in its chain of rematches.
    public var scoreBefore: Score
    /// The turn clock of an online game that has one.
    public var clock: TurnClock?

    public init(
        id: GameID,
        state: GameState,
        opponent: OpponentKind,
        computerSeat: Seat,
        rematchID: GameID? = nil,
        seats: Seats? = nil,
        scoreBefore: Score = Score(),
        clock: TurnClock? = nil
    ) {
        self.id = id
        self.state = state
        self.opponent = opponent
        self.computerSeat = computerSeat
        self.rematchID = rematchID
        self.seats = seats
        self.scoreBefore = scoreBefore
        self.clock = clock
    }

    /// The chain's running score, this game included once it is over.
    public var score: Score { scoreBefore.counting(state.outcome) }

    public var version: Int { state.version }

    public var isOnline: Bool { seats != nil }

    /// Names this state in a live stream. Each part only grows, so a client can resume from it
    /// and a stream never sends an older state after a newer one.
    public var revision: Revision {
        Revision(version: version, seatsTaken: seats?.takenCount ?? 0, hasRematch: rematchID != nil)
    }
}

/// What a live stream has shown of a game: its version, how many seats were taken, and whether a
/// rematch was named. Written as `version.seats.rematch`, e.g. `3.2.0`.
public struct Revision: Hashable, Sendable, CustomStringConvertible {
    public var version: Int
    public var seatsTaken: Int
    public var hasRematch: Bool

    public init(version: Int, seatsTaken: Int, hasRematch: Bool) {
        self.version = version
        self.seatsTaken = seatsTaken
        self.hasRematch = hasRematch
    }

    public init?(_ text: String) {
        let parts = text.split(separator: ".")
        guard parts.count == 3, let version = Int(parts[0]), let seats = Int(parts[1]), let rematch = Int(parts[2]),
            version >= 0, (0...2).contains(seats), (0...1).contains(rematch)
        else { return nil }
        self.init(version: version, seatsTaken: seats, hasRematch: rematch == 1)
    }

    public var description: String { "\(version).\(seatsTaken).\(hasRematch ? 1 : 0)" }

    /// Whether `self` shows something `other` did not.
    public func isNewer(than other: Revision) -> Bool {
        self != other && version >= other.version && seatsTaken >= other.seatsTaken && (hasRematch || !other.hasRematch)
    }
}
