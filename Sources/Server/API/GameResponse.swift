import Config
import Game
public import Hummingbird
import JSONText
import NIOCore

/// The contract's Game object.
///
/// Written by hand rather than through `JSONEncoder`: it is the body of nearly every answer, and
/// this halves the server's CPU time per move.
public struct GameResponse: ResponseGenerator, Codable, Equatable, Sendable {
    public var id: String
    public var rows: Int
    public var cols: Int
    public var winLength: Int
    public var rule: String
    public var board: [String]
    public var next: String?
    public var status: String
    public var winner: String?
    public var winningLine: [Int]
    /// The symbol of the player who resigned, which ended the game; `nil` otherwise.
    public var resigned: String?
    /// The symbol of the player whose turn clock ran out, which ended the game; `nil` otherwise.
    public var timedOut: String?
    public var moves: [Int]
    public var version: Int
    /// `human` or `computer`.
    public var opponent: String
    /// The computer's symbol in a game against the computer.
    public var computer: String?
    public var rematchId: String?
    /// For an online game, the symbols whose seats are taken; `nil` otherwise.
    public var seatsTaken: [String]?
    /// The symbol of the seat the request's token holds, if any.
    public var you: String?
    /// A new seat token, only in the answer that created it: the client keeps it and sends it as
    /// `Authorization: Bearer`.
    public var token: String?
    /// The running score of this game's chain of rematches, this game included once it is over:
    /// wins by symbol, and `draws`, e.g. `{"X": 2, "O": 1, "draws": 0}`.
    public var score: [String: Int]
    /// The turn clock of an online game that has one; `nil` otherwise.
    public var clock: Clock?

    /// The contract's Clock object: the seconds each move may take and, while a turn runs, when it
    /// ends (ISO 8601, UTC) and the milliseconds left when the answer was written, for clients
    /// whose own clock is off.
    public struct Clock: Codable, Equatable, Sendable {
        public var seconds: Int
        public var endsAt: String?
        public var msLeft: Int?
    }

    enum CodingKeys: String, CodingKey {
        case id, rows, cols, winLength, rule, board, next, status, winner, winningLine, resigned, timedOut, moves, version, opponent, computer
        case rematchId, seatsTaken, you, token, score, clock
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(status: .ok)
    }

    /// The answer with this game as its body.
    func response(status: HTTPResponse.Status, location: Bool = false) -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(200 + board.count * 6 + moves.count * 4)
        write(to: &buffer)
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if location { headers[.location] = "/api/games/\(id)" }
        if seatsTaken != nil { headers[.cacheControl] = "no-store" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// The JSON object, every key present (`null` included), in the contract's order.
    func write(to buffer: inout ByteBuffer) {
        buffer.writeString("{\"id\":")
        buffer.writeString(jsonQuoted(id))
        buffer.writeString(",\"rows\":\(rows),\"cols\":\(cols),\"winLength\":\(winLength),\"rule\":\"\(rule)\",\"board\":[")
        for (i, cell) in board.enumerated() {
            if i > 0 { buffer.writeString(",") }
            buffer.writeString(jsonQuoted(cell))
        }
        buffer.writeString("],\"next\":")
        buffer.writeString(next.map(jsonQuoted) ?? "null")
        buffer.writeString(",\"status\":\"\(status)\",\"winner\":")
        buffer.writeString(winner.map(jsonQuoted) ?? "null")
        buffer.writeString(",\"winningLine\":[\(winningLine.map(String.init).joined(separator: ","))]")
        buffer.writeString(",\"resigned\":")
        buffer.writeString(resigned.map(jsonQuoted) ?? "null")
        buffer.writeString(",\"timedOut\":")
        buffer.writeString(timedOut.map(jsonQuoted) ?? "null")
        buffer.writeString(",\"moves\":[\(moves.map(String.init).joined(separator: ","))]")
        buffer.writeString(",\"version\":\(version),\"opponent\":\"\(opponent)\",\"computer\":")
        buffer.writeString(computer.map(jsonQuoted) ?? "null")
        buffer.writeString(",\"rematchId\":")
        buffer.writeString(rematchId.map(jsonQuoted) ?? "null")
        buffer.writeString(",\"seatsTaken\":")
        buffer.writeString(seatsTaken.map { "[" + $0.map(jsonQuoted).joined(separator: ",") + "]" } ?? "null")
        buffer.writeString(",\"you\":")
        buffer.writeString(you.map(jsonQuoted) ?? "null")
        if let token {
            buffer.writeString(",\"token\":")
            buffer.writeString(jsonQuoted(token))
        }
        buffer.writeString(",\"score\":{")
        for symbol in score.keys.sorted() where symbol != "draws" {
            buffer.writeString("\(jsonQuoted(symbol)):\(score[symbol] ?? 0),")
        }
        buffer.writeString("\"draws\":\(score["draws"] ?? 0)},\"clock\":")
        if let clock {
            buffer.writeString("{\"seconds\":\(clock.seconds),\"endsAt\":")
            buffer.writeString(clock.endsAt.map(jsonQuoted) ?? "null")
            buffer.writeString(",\"msLeft\":\(clock.msLeft.map(String.init) ?? "null")}}")
        } else {
            buffer.writeString("null}")
        }
    }

    /// Writes every key, `null` included, in the contract's order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(rows, forKey: .rows)
        try c.encode(cols, forKey: .cols)
        try c.encode(winLength, forKey: .winLength)
        try c.encode(rule, forKey: .rule)
        try c.encode(board, forKey: .board)
        try c.encode(next, forKey: .next)
        try c.encode(status, forKey: .status)
        try c.encode(winner, forKey: .winner)
        try c.encode(winningLine, forKey: .winningLine)
        try c.encode(resigned, forKey: .resigned)
        try c.encode(timedOut, forKey: .timedOut)
        try c.encode(moves, forKey: .moves)
        try c.encode(version, forKey: .version)
        try c.encode(opponent, forKey: .opponent)
        try c.encode(computer, forKey: .computer)
        try c.encode(rematchId, forKey: .rematchId)
        try c.encode(seatsTaken, forKey: .seatsTaken)
        try c.encode(you, forKey: .you)
        try c.encodeIfPresent(token, forKey: .token)
        try c.encode(score, forKey: .score)
        try c.encode(clock, forKey: .clock)
    }

    init(
        _ record: GameRecord,
        players: PlayerSettings,
        you: Seat? = nil,
        token: SeatToken? = nil,
        now: @Sendable () -> Int64 = WallClock.milliseconds
    ) {
        let state = record.state
        id = record.id.rawValue
        rows = state.shape.rows
        cols = state.shape.cols
        winLength = state.shape.winLength
        rule = state.rule.rawValue
        board = state.cells.map { $0.map(players.symbol(for:)) ?? "" }
        moves = state.moves
        resigned = state.resigned.map(players.symbol(for:))
        timedOut = state.timedOut.map(players.symbol(for:))
        clock = record.clock.map { clock in
            guard let deadline = clock.deadline else { return Clock(seconds: clock.seconds) }
            return Clock(seconds: clock.seconds, endsAt: WallClock.iso8601(milliseconds: deadline), msLeft: Int(max(0, deadline - now())))
        }
        version = state.version
        opponent = record.isOnline ? "online" : record.opponent.rawValue
        seatsTaken = record.seats.map { seats in Seat.allCases.filter { seats[$0] != nil }.map(players.symbol(for:)) }
        self.you = you.map(players.symbol(for:))
        self.token = token?.rawValue
        computer = record.opponent == .computer ? players.symbol(for: record.computerSeat) : nil
        rematchId = record.rematchID?.rawValue
        let tally = record.score
        score = [players.firstSymbol: tally.firstWins, players.secondSymbol: tally.secondWins, "draws": tally.draws]
        switch state.outcome {
        case .playing(let seat):
            status = "playing"
            next = players.symbol(for: seat)
            winner = nil
            winningLine = []
        case .won(let seat, let line):
            status = "won"
            next = nil
            winner = players.symbol(for: seat)
            winningLine = line
        case .draw:
            status = "draw"
            next = nil
            winner = nil
            winningLine = []
        }
    }
}
