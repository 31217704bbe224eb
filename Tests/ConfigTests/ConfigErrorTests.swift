import Testing
import YAML

@testable import Config

/// Every mistake names its position, key and what was expected.
@Suite struct ConfigErrorTests {
    func error(_ yaml: String, environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try ConfigLoader.parse(yaml, source: "test.yaml", environment: environment)
            return nil
        } catch {
            return error
        }
    }

    @Test func reportsMalformedYAMLWithPosition() throws {
        let e = try #require(error("board:\n  rows: [3\n  cols: 3\n"))
        #expect(e.kind == .syntax)
        #expect(e.mark.line == 3)
        #expect(e.description.hasPrefix("test.yaml:3:"))
        #expect(e.message.hasPrefix("malformed YAML: "))
    }

    @Test func reportsTabIndentation() throws {
        let e = try #require(error("board:\n\trows: 3\n"))
        #expect(e.kind == .syntax)
        #expect(e.mark.line == 2)
    }

    @Test func suggestsTheNearestKeyForAnUnknownSection() throws {
        let e = try #require(error("bord:\n  rows: 3\n"))
        #expect(e.kind == .unknownKey)
        #expect(e.description == "test.yaml:1:1: bord: unknown key `bord`; did you mean `board`?")
    }

    @Test func suggestsTheNearestKeyInsideASection() throws {
        let e = try #require(error("board:\n  rows: 3\n  win_lenght: 3\n"))
        #expect(e.description == "test.yaml:3:3: board.win_lenght: unknown key `win_lenght`; did you mean `win_length`?")
    }

    @Test func listsValidKeysWhenNothingIsClose() throws {
        let e = try #require(error("state: {flavour: mint}\n"))
        #expect(
            e.message
                == "unknown key `flavour`; valid keys are `backend`, `path`, `url`, `timeout_ms`, `host`, `port`, `database`, `user`, `password`, `sslmode`, `sslrootcert`"
        )
    }

    @Test func refusesDuplicateKeys() throws {
        let e = try #require(error("server:\n  port: 5000\n  port: 6000\n"))
        #expect(e.description == "test.yaml:3:3: duplicate key `port` (first defined at line 2, column 3)")
    }

    @Test(arguments: [("0", 0), ("70000", 70000)])
    func refusesPortsOutOfRange(text: String, value: Int) throws {
        let e = try #require(error("server:\n  port: \(text)\n"))
        #expect(e.kind == .outOfRange)
        #expect(e.description == "test.yaml:2:9: server.port: expected an integer from 1 to 65535, found \(value)")
    }

    @Test func refusesAWrongType() throws {
        let e = try #require(error("board: {rows: three}\n"))
        #expect(e.description == "test.yaml:1:15: board.rows: expected an integer from 3 to 20, found `three`")
    }

    @Test func refusesAQuotedNumber() throws {
        let e = try #require(error("server: {port: \"5000\"}\n"))
        #expect(e.message == "expected an integer from 1 to 65535, found the quoted string \"5000\" (remove the quotes)")
    }

    @Test func refusesAWinLengthLongerThanTheBoard() throws {
        let e = try #require(error("board:\n  rows: 3\n  cols: 4\n  win_length: 5\n"))
        #expect(e.description == "test.yaml:4:15: board.win_length: expected an integer (at most the board's longer side) from 3 to 4, found 5")
    }

    @Test func refusesASectionThatIsNotAMapping() throws {
        let e = try #require(error("board: 3\n"))
        #expect(e.description == "test.yaml:1:8: board: expected a mapping of settings, found `3`")
    }

    @Test func suggestsTheNearestChoice() throws {
        let e = try #require(error("opponent: {level: perfekt}\n"))
        #expect(e.message == "expected one of `easy`, `normal`, `perfect`, found `perfekt`; did you mean `perfect`?")
    }

    @Test func refusesASecondDocument() throws {
        let e = try #require(error("board: {rows: 3}\n---\nboard: {rows: 4}\n"))
        #expect(e.mark.line == 2)
        #expect(e.message.contains("a second YAML document"))
    }

    @Test func refusesMergeKeys() throws {
        let merge = try #require(error("board:\n  <<: {rows: 3}\n"))
        #expect(merge.description == "test.yaml:2:3: merge keys (`<<`) are not supported; write the keys out")
    }

    @Test func refusesAliasBombs() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...6 { yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let e = try #require(error(yaml))
        #expect(e.message.contains("beyond 100000 nodes"))
    }

    @Test func refusesAnUndefinedAlias() throws {
        let e = try #require(error("board: *nothing\n"))
        #expect(e.kind == .syntax)
        #expect(e.mark.line == 1)
    }

    @Test func refusesBadColours() throws {
        let e = try #require(error("theme:\n  colors: {accent: blue}\n"))
        #expect(e.description.hasPrefix("test.yaml:2:20: theme.colors.accent: expected a colour as \"#rgb\" or \"#rrggbb\""))
    }

    @Test func refusesUnknownColourNames() throws {
        let e = try #require(error("theme:\n  colors: {acent: \"#fff\"}\n"))
        #expect(e.message == "unknown key `acent`; did you mean `accent`?")
    }

    @Test func refusesIdenticalSymbols() throws {
        let e = try #require(error("players: {symbols: [X, X]}\n"))
        #expect(e.message == "the two symbols must differ, both are `X`")
    }

    @Test func refusesAnOpponentSymbolThatIsNotAPlayer() throws {
        let e = try #require(error("opponent: {plays: Z}\n"))
        #expect(e.description == "test.yaml:1:19: opponent.plays: expected one of the symbols `X` or `O`, found `Z`")
    }

    @Test func warnsAboutPostgresWithoutURL() throws {
        let settings = try ConfigLoader.parse("state: {backend: postgres}\n", source: "p.yaml")
        #expect(
            settings.warnings == [
                "state.backend `postgres` names no database (state.url or state.host): the server will need DATABASE_URL or PGHOST… in its environment at start"
            ]
        )
    }

    @Test func namesTheEnvironmentVariableThatIsWrong() throws {
        let e = try #require(error("", environment: ["PORT": "http"]))
        #expect(e.description == "environment variable PORT: server.port: expected an integer from 1 to 65535, found `http`")
    }

    @Test func refusesAMissingFileClearly() throws {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/tictactoe.yaml") }
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/tictactoe.yaml")
        } catch {
            #expect(error.description == "/nonexistent/tictactoe.yaml: cannot read the file (no such file)")
        }
    }
}
