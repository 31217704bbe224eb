import Config
public import Hummingbird

/// `GET /api/config`: what the page needs to draw the board and offer the right modes.
struct PublicConfig: ResponseEncodable {
    struct Board: Encodable {
        var rows, cols, winLength: Int
        var rule: String
    }
    struct Players: Encodable {
        var symbols: [String]
        var first: String
    }
    struct Opponent: Encodable {
        var kind: String
        var plays: String
        var level: String
    }
    struct Theme: Encodable {
        var name: String
        var title: String
        var colors: [String: String]
    }

    var board: Board
    var players: Players
    var opponent: Opponent
    var theme: Theme
    var version: String

    init(_ settings: Settings, version: String) {
        let shape = settings.board.shape
        board = Board(rows: shape.rows, cols: shape.cols, winLength: shape.winLength, rule: settings.board.rule.rawValue)
        players = Players(symbols: [settings.players.firstSymbol, settings.players.secondSymbol], first: settings.players.firstSymbol)
        opponent = Opponent(
            kind: settings.opponent.kind.rawValue,
            plays: settings.players.symbol(for: settings.opponent.computerSeat),
            level: settings.opponent.level.rawValue
        )
        theme = Theme(name: settings.theme.name.rawValue, title: settings.theme.title, colors: settings.theme.colors)
        self.version = version
    }
}
