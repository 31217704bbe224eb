import Config
import Testing

@Suite struct PostgresURLTests {
    @Test func takesAFullURLApart() throws {
        let url = try PostgresURL("postgres://game%40team:p%3Ass@db.example.com:6432/games?sslmode=verify-full")
        #expect(url.user == "game@team")
        #expect(url.password == "p:ss")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6432)
        #expect(url.database == "games")
        #expect(url.sslMode == .verifyFull)
        #expect(url.redacted == "postgres://***@db.example.com:6432/games?sslmode=verify-full")
    }

    @Test func fillsInLibpqDefaults() throws {
        let url = try PostgresURL("postgresql://db")
        #expect(url.user == "postgres")
        #expect(url.password == nil)
        #expect(url.port == 5432)
        #expect(url.database == "postgres")
        #expect(url.sslMode == .prefer)
    }

    @Test func readsBracketedIPv6Hosts() throws {
        let url = try PostgresURL("postgres://u@[::1]:5433/d")
        #expect(url.host == "::1")
        #expect(url.port == 5433)
    }

    @Test(arguments: [
        ("mysql://u:secret@h/d", "expected a URL such as postgres://user:password@host:5432/db, found `mysql://***@h/d`"),
        ("postgres://u:secret@h:99999/d", "the port in `postgres://***@h:99999/d` must be a number from 1 to 65535, found `99999`"),
        ("postgres://u:secret@/d", "`postgres://***@/d` names no host; expected postgres://user@host:5432/db"),
        ("postgres://u:secret@h/d?sslmode=maybe", "sslmode must be one of disable, prefer, require, verify-full, found `maybe`"),
        ("postgres://u:secret@h/d?timeout=3", "unknown URL parameter `timeout` in `postgres://***@h/d?timeout=3`; supported: sslmode"),
        (
            "postgres://app:s3cr/et9secret@db:5432/game",
            "the user name or password in `postgres://***@db:5432/game` holds a `/`, `?` or `@`: write them as %2F, %3F and %40"
        ),
        (
            "postgres://app:s3cr?et9secret@db/game",
            "the user name or password in `postgres://***@db/game` holds a `/`, `?` or `@`: write them as %2F, %3F and %40"
        ),
        ("postgres://app:s3cr@et9secret@db/game?sslmode=maybe", "sslmode must be one of disable, prefer, require, verify-full, found `maybe`"),
        ("postgres://u:se%zzcret@h/d", "the password in `postgres://***@h/d` has a `%` that is not followed by two hex digits"),
    ])
    func refusesBadURLsWithoutShowingThePassword(text: String, message: String) {
        #expect(throws: PostgresURLError.self) { try PostgresURL(text) }
        do {
            _ = try PostgresURL(text)
        } catch {
            #expect(error.description == message)
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func configErrorsPointAtTheURLsLine() throws {
        let yaml = "state:\n  backend: postgres\n  url: \"postgres://u:secret@h:0/d\"\n"
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml, source: "db.yaml") }
        do {
            _ = try ConfigLoader.parse(yaml, source: "db.yaml")
        } catch {
            #expect(error.description.hasPrefix("db.yaml:3:8: state.url:"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test func environmentErrorsNameTheVariable() throws {
        do {
            _ = try ConfigLoader.parse("", source: "e.yaml", environment: ["DATABASE_URL": "postgres://u:secret@h:x/d"])
            Issue.record("a bad DATABASE_URL must be refused")
        } catch {
            #expect(error.description.contains("environment variable DATABASE_URL"))
            #expect(!error.description.contains("secret"))
        }
    }
}
