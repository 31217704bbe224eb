import Game
import Testing

@testable import Config

@Suite struct SettingsTests {
    @Test func emptyFileIsTheSeedGame() throws {
        let settings = try ConfigLoader.parse("", source: "empty.yaml")
        #expect(settings.server.port == 5000)
        #expect(settings.server.host == "0.0.0.0")
        #expect(settings.board.shape == .classic)
        #expect(settings.board.rule == .standard)
        #expect(settings.players.firstSymbol == "X")
        #expect(settings.opponent.kind == .human)
        #expect(settings.state.backend == .memory)
        #expect(settings.theme.name == .light)
    }

    @Test func aCommentOnlyFileIsEmpty() throws {
        let settings = try ConfigLoader.parse("# nothing here\n", source: "c.yaml")
        #expect(settings.board.shape == .classic)
    }

    @Test func readsEveryDocumentedKey() throws {
        let yaml = """
            server:
              host: "::"
              port: 8080
              max_body_bytes: 2048
              shutdown_grace_s: 20
              log_level: debug
              log_format: text
              limits: {games_per_minute: 10, moves_per_minute: 100}
              games: {max: 500, idle_minutes: 5}
            board: {rows: 6, cols: 7, win_length: 4, rule: misere}
            players: {symbols: [A, B], first: B}
            opponent: {kind: computer, plays: A, level: normal, think_ms: 50, threads: 2, queue: 8}
            theme: {name: high-contrast, title: Connect, colors: {accent: "#ABC"}}
            state: {backend: sqlite, path: /data/games.sqlite}
            deploy: {cpu: 512, memory: 2048, architectures: [arm64]}
            """
        let s = try ConfigLoader.parse(yaml, source: "full.yaml")
        #expect(s.server.host == "::")
        #expect(s.server.port == 8080)
        #expect(s.server.maxBodyBytes == 2048)
        #expect(s.server.shutdownGraceSeconds == 20)
        #expect(s.server.logLevel == .debug)
        #expect(s.server.logFormat == .text)
        #expect(s.server.limits == RateLimits(gamesPerMinute: 10, movesPerMinute: 100))
        #expect(s.server.games == GameLimits(maxGames: 500, idleMinutes: 5))
        #expect(s.board.shape == (try BoardShape(rows: 6, cols: 7, winLength: 4)))
        #expect(s.board.rule == .misere)
        #expect(s.players.firstSymbol == "B")
        #expect(s.players.secondSymbol == "A")
        #expect(s.opponent.kind == .computer)
        #expect(s.opponent.computerSeat == .second)
        #expect(s.opponent.level == .normal)
        #expect(s.opponent.thinkMilliseconds == 50)
        #expect(s.opponent.threads == 2)
        #expect(s.opponent.queueCapacity == 8)
        #expect(s.theme.name == .highContrast)
        #expect(s.theme.title == "Connect")
        #expect(s.theme.colors["accent"] == "#abc")
        #expect(s.theme.colors["background"] == "#000000")
        #expect(s.state.backend == .sqlite)
        #expect(s.state.path == "/data/games.sqlite")
        #expect(s.deploy?.cpu == 512)
        #expect(s.deploy?.memory == 2048)
        #expect(s.deploy?.runOn == .arm64)
    }

    @Test func winLengthDefaultsToThree() throws {
        let s = try ConfigLoader.parse("board: {rows: 10, cols: 10}\n", source: "t.yaml")
        #expect(s.board.shape.winLength == 3)
    }

    @Test func resolvesAnchorsAndAliases() throws {
        let yaml = "board: &big {rows: 5, cols: 5, win_length: 4}\ntheme: {name: dark}\n"
        let s = try ConfigLoader.parse(yaml, source: "a.yaml")
        #expect(s.board.shape.rows == 5)
        let aliased = try ConfigLoader.parse("players: {symbols: &s [A, B], first: A}\n", source: "b.yaml")
        #expect(aliased.players.secondSymbol == "B")
    }

    @Test func environmentOverridesTheFile() throws {
        let s = try ConfigLoader.parse("server: {port: 5000}\n", source: "e.yaml", environment: ["PORT": "9090", "HOST": "127.0.0.1"])
        #expect(s.server.port == 9090)
        #expect(s.server.host == "127.0.0.1")
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let s = try ConfigLoader.parse("server: {port: 5001}\n", source: "e.yaml", environment: ["PORT": ""])
        #expect(s.server.port == 5001)
    }

    @Test func databaseURLFromTheEnvironmentSatisfiesPostgres() throws {
        let s = try ConfigLoader.parse(
            "state: {backend: postgres}\n",
            source: "p.yaml",
            environment: ["DATABASE_URL": "postgres://game:s3cret@db:5432/games"]
        )
        #expect(s.state.url?.host == "db")
        #expect(s.state.url?.password == "s3cret")
        #expect(s.state.redactedURL == "postgres://***@db:5432/games")
        #expect(!s.summary.contains("s3cret"))
    }

    @Test func databaseURLOverridesTheFilesURL() throws {
        let s = try ConfigLoader.parse(
            "state: {backend: postgres, url: \"postgres://file@filehost/filedb\"}\n",
            source: "p.yaml",
            environment: ["DATABASE_URL": "postgresql://env:pw@envhost:6543/envdb?sslmode=require"]
        )
        #expect(s.state.url == (try PostgresURL("postgresql://env:pw@envhost:6543/envdb?sslmode=require")))
        #expect(s.state.url?.host == "envhost")
        #expect(s.state.url?.port == 6543)
        #expect(s.state.url?.database == "envdb")
        #expect(s.state.url?.sslMode == .require)
    }

    @Test func readsStateTimeoutAndHeartbeat() throws {
        let s = try ConfigLoader.parse("server: {heartbeat_s: 5}\nstate: {timeout_ms: 750}\n", source: "t.yaml")
        #expect(s.server.heartbeatSeconds == 5)
        #expect(s.state.timeoutMilliseconds == 750)
        #expect(Settings.defaults.server.heartbeatSeconds == 15)
    }

    @Test func warnsWhenPerfectCannotSolveTheBoard() throws {
        let s = try ConfigLoader.parse("board: {rows: 15, cols: 15, win_length: 5}\nopponent: {level: perfect}\n", source: "w.yaml")
        #expect(s.warnings.count == 1)
        #expect(s.warnings[0].hasPrefix("opponent.level `perfect` cannot solve a 15×15, 5 in a row standard board"))
        let misere = try ConfigLoader.parse("board: {rows: 5, cols: 4, win_length: 4, rule: misere}\n", source: "m.yaml")
        #expect(misere.warnings.count == 1)
        #expect(try ConfigLoader.parse("board: {rows: 5, cols: 4, win_length: 4}\n", source: "s.yaml").warnings.isEmpty)
        #expect(try ConfigLoader.parse("", source: "x").warnings.isEmpty)
    }

    @Test func summaryShowsResolvedValues() throws {
        let s = try ConfigLoader.parse("board: {rows: 4, cols: 4, win_length: 4}\n", source: "s.yaml")
        #expect(s.summary.contains("board: {rows: 4, cols: 4, win_length: 4, rule: standard}"))
        #expect(s.summary.contains("port: 5000"))
    }

    @Test func everyShippedVariantIsValid() throws {
        let variants = URLPath.repositoryRoot + "/variants"
        let names = try #require(URLPath.yamlFiles(in: variants))
        #expect(names.count >= 3)
        for name in names {
            let settings = try ConfigLoader.load(path: variants + "/" + name)
            #expect(settings.server.limits.isEnabled, "\(name) should enable rate limits")
        }
    }
}

@Suite struct NearestNameTests {
    @Test func findsTyposAndTranspositions() {
        #expect(nearestName(to: "bord", in: Settings.sections) == "board")
        #expect(nearestName(to: "sever", in: Settings.sections) == "server")
        #expect(nearestName(to: "thmee", in: Settings.sections) == "theme")
        #expect(nearestName(to: "zzzzzz", in: Settings.sections) == nil)
    }
}
