import Config
import Foundation
import HTTPTypes
import HummingbirdTesting
import Locking
import Logging
import NIOCore
import Server
import Testing

@Suite struct ServiceRoutesTests {
    @Test func healthAndReadiness() async throws {
        try await withApp { client in
            let health = try await client.get("/healthz")
            #expect(health.status == .ok)
            #expect(health.text == #"{"status":"ok"}"#)
            #expect(try await client.get("/readyz").status == .ok)
        }
    }

    @Test func setsSecurityHeadersOnEveryAnswer() async throws {
        try await withApp { client in
            for response in [try await client.get("/"), try await client.get("/nope"), try await client.post("/api/games")] {
                let csp = try #require(response.headers[.contentSecurityPolicy])
                #expect(csp.contains("script-src 'self'"))
                #expect(csp.contains("frame-ancestors 'none'"))
                #expect(!csp.contains("unsafe-inline"))
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func servesThePageWithTheConfiguredTitleAndTheme() async throws {
        try await withApp("theme: {name: dark, title: \"Noughts & Crosses\"}\n") { client in
            let page = try await client.get("/")
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains("<title>Noughts &amp; Crosses</title>"))
            #expect(page.text.contains(#"data-theme="dark""#))
            #expect(!page.text.contains("<script>"))
            #expect(!page.text.contains("https://"))
            let theme = try await client.get("/assets/theme.css")
            #expect(theme.text.contains("--background: #0f172a;"))
            #expect(try await client.get("/assets/app.js").headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(try await client.get("/assets/style.css").status == .ok)
        }
    }

    @Test func themeOverridesReachTheStylesheet() async throws {
        try await withApp("theme: {name: light, colors: {accent: \"#ff0000\"}}\n") { client in
            let theme = try await client.get("/assets/theme.css").text
            #expect(theme.contains("--accent: #ff0000;"))
            #expect(theme.contains("--background: #f3f4f6;"))
        }
    }

    @Test func publishesThePublicConfig() async throws {
        try await withApp("board: {rows: 6, cols: 7, win_length: 4}\nplayers: {symbols: [R, Y]}\n") { client in
            let response = try await client.get("/api/config")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
            let board = try #require(json["board"] as? [String: Any])
            #expect(board["rows"] as? Int == 6)
            #expect(board["cols"] as? Int == 7)
            #expect(board["winLength"] as? Int == 4)
            let players = try #require(json["players"] as? [String: Any])
            #expect(players["symbols"] as? [String] == ["R", "Y"])
        }
    }

    @Test func rateLimitsGameCreationWhenConfigured() async throws {
        try await withApp("server: {limits: {games_per_minute: 3}}\n") { client in
            for _ in 0..<3 { #expect(try await client.post("/api/games").status == .created) }
            let refused = try await client.post("/api/games")
            #expect(refused.status == .tooManyRequests)
            #expect(try refused.error().error.code == "rate_limited")
        }
    }

    @Test func rateLimitsMovesWhenConfigured() async throws {
        try await withApp("server: {limits: {moves_per_minute: 2}}\n") { client in
            let id = try await client.newGame().id
            #expect(try await client.move(id, #"{"index": 0}"#).status == .ok)
            #expect(try await client.move(id, #"{"index": 1}"#).status == .ok)
            #expect(try await client.move(id, #"{"index": 2}"#).status == .tooManyRequests)
            #expect(try await client.get("/api/games/\(id)").game().version == 2)
        }
    }

    @Test func refusesPostgresWithoutADatabaseURL() async throws {
        let settings = try ConfigLoader.parse("state: {backend: postgres}\n", source: "t.yaml")
        do {
            _ = try await AppParts.make(settings: settings, logger: Logger(label: "test"))
            Issue.record("postgres without a URL must not start")
        } catch {
            #expect(
                error.description
                    == "state.backend `postgres` needs a database: set DATABASE_URL, or PGHOST (with PGUSER, PGPASSWORD, PGDATABASE…), in the environment, or state.url or state.host in the config"
            )
        }
    }

    @Test func refusesPostgresInABuildWithoutIt() async throws {
        let settings = try ConfigLoader.parse("state: {backend: postgres, url: 'postgres://u:pw@db.internal/games'}\n", source: "t.yaml")
        do {
            _ = try await AppParts.make(settings: settings, logger: Logger(label: "test"), postgres: nil)
            Issue.record("postgres without a PostgreSQL opener must not start")
        } catch {
            #expect(
                error.description
                    == "state.backend `postgres`: this build of tictactoe has no PostgreSQL support (it was built without the `PostgreSQL` package trait); use the default build, or `make image` for a variant that names postgres"
            )
        }
    }

    @Test func opensPostgresThroughTheOpenerWithTheConfiguredOptions() async throws {
        let settings = try ConfigLoader.parse(
            "state: {backend: postgres, url: 'postgres://u:pw@db.internal/games', timeout_ms: 750}\nserver: {games: {max: 40, idle_minutes: 3}}\n",
            source: "t.yaml"
        )
        let seen = Mutex<(host: String, options: StoreOptions)?>(nil)
        let parts = try await AppParts.make(settings: settings, logger: Logger(label: "test")) { database, options, _ in
            seen.withLock { $0 = (database.host, options) }
            return MemoryGameStore(maxGames: options.maxGames, idleTimeout: options.idleTimeout)
        }
        #expect(parts.store is MemoryGameStore)
        #expect(seen.withLock { $0?.host } == "db.internal")
        #expect(seen.withLock { $0?.options } == StoreOptions(timeout: .milliseconds(750), maxGames: 40, idleTimeout: .seconds(180)))
    }

    @Test func namesTheBackendWhenThePostgresOpenerRefuses() async throws {
        let settings = try ConfigLoader.parse("state: {backend: postgres, url: 'postgres://u:pw@db.internal/games'}\n", source: "t.yaml")
        do {
            _ = try await AppParts.make(settings: settings, logger: Logger(label: "test")) { _, _, _ throws(StoreError) in
                throw StoreError("cannot read the CA file /nowhere.pem")
            }
            Issue.record("a refusing opener must stop start-up")
        } catch {
            #expect(error.description == "state.backend `postgres`: cannot read the CA file /nowhere.pem")
        }
    }
}
