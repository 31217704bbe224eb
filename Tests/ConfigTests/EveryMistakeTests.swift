import Testing

@testable import Config

/// One pass over a file reports every mistake in it, in file order.
@Suite struct EveryMistakeTests {
    func mistakes(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader.parse(yaml, source: "game.yaml", environment: environment)
            return []
        } catch {
            return error.all.map(\.description)
        }
    }

    @Test func listsEveryMistakeInFileOrder() {
        let yaml = """
            server:
              port: 70000
              hostt: 0.0.0.0
              log_level: loud
              streams: {per_client: 0}
            board: {rows: 4, cols: 4, win_length: 9}
            opponent:
              level: perfekt
              think_ms: "200"
            theme:
              colors: {accent: red, first: "#00f"}
            state: {backend: postgress}
            deploy: {cpu: 300}
            """
        #expect(
            mistakes(yaml) == [
                "game.yaml:2:9: server.port: expected an integer from 1 to 65535, found 70000",
                "game.yaml:3:3: server.hostt: unknown key `hostt`; did you mean `host`?",
                "game.yaml:4:14: server.log_level: expected one of `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`, found `loud`",
                "game.yaml:5:25: server.streams.per_client: expected an integer from 1 to 10000, found 0",
                "game.yaml:6:39: board.win_length: expected an integer (at most the board's longer side) from 3 to 4, found 9",
                "game.yaml:8:10: opponent.level: expected one of `easy`, `normal`, `perfect`, found `perfekt`; did you mean `perfect`?",
                "game.yaml:9:13: opponent.think_ms: expected an integer (milliseconds) from 10 to 10000, found the quoted string \"200\" (remove the quotes)",
                "game.yaml:11:20: theme.colors.accent: expected a colour as \"#rgb\" or \"#rrggbb\" (quoted: # starts a YAML comment), found `red`",
                "game.yaml:12:18: state.backend: expected one of `memory`, `sqlite`, `postgres`, found `postgress`; did you mean `postgres`?",
                "game.yaml:13:15: deploy.cpu: Fargate offers cpu 256, 512, 1024, 2048, 4096, 8192 or 16384, not 300",
            ]
        )
    }

    @Test func aSingleMistakeReadsAsBefore() throws {
        var found: ConfigError?
        do {
            _ = try ConfigLoader.parse("server: {port: 0}\n", source: "one.yaml")
        } catch {
            found = error
        }
        let error = try #require(found)
        #expect(error.others.isEmpty)
        #expect(error.description == "one.yaml:1:16: server.port: expected an integer from 1 to 65535, found 0")
    }

    @Test func aSyntaxErrorStopsAtTheSyntaxError() {
        let found = mistakes("server:\n  port: 70000\nboard: {rows: [3\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("game.yaml:") == true)
        #expect(found.first?.contains("malformed YAML") == true)
    }

    @Test func environmentMistakesComeFirstThenTheFiles() {
        let found = mistakes("board: {rows: 2}\n", environment: ["PORT": "http"])
        #expect(
            found == [
                "environment variable PORT: server.port: expected an integer from 1 to 65535, found `http`",
                "game.yaml:1:15: board.rows: expected an integer from 3 to 20, found 2",
            ]
        )
    }

    @Test func aBoardWithABadSideDoesNotAlsoBlameTheWinLength() {
        #expect(mistakes("board: {rows: 50, win_length: 40}\n") == ["game.yaml:1:15: board.rows: expected an integer from 3 to 20, found 50"])
    }
}
