public import Game
public import YAML

extension Settings {
    /// The top-level sections of a config file.
    public static let sections = ["server", "board", "players", "opponent", "theme", "state", "online", "deploy"]

    /// Decodes a parsed document (`nil` for an empty one). `source` names it in messages.
    public init(decoding root: YAMLNode?, source: String) throws(ConfigError) {
        self.init()
        self.source = source
        // Every mistake is noted and decoding goes on with defaults; a check that fails in a
        // section's own code skips the rest of that section only.
        let problems = ConfigProblems()
        let top = MappingReader(root, path: "", parentMark: Mark(source: source, line: 1, column: 1), allowed: Self.sections, problems: problems)
        do {
            try decodeServer(
                top.section(
                    "server",
                    allowed: [
                        "host", "port", "max_body_bytes", "shutdown_grace_s", "log_level", "log_format", "limits", "games", "heartbeat_s",
                        "trusted_proxies", "idle_timeout_s", "header_timeout_s", "body_timeout_s", "max_header_bytes", "max_connections",
                        "max_connections_per_client",
                        "streams",
                        "behind_https", "metrics",
                    ]
                )
            )
        } catch { problems.note(error) }
        do { try decodeBoard(top.section("board", allowed: ["rows", "cols", "win_length", "rule"])) } catch { problems.note(error) }
        do { try decodePlayers(top.section("players", allowed: ["symbols", "first"])) } catch { problems.note(error) }
        do { try decodeOpponent(top.section("opponent", allowed: ["kind", "plays", "level", "think_ms", "threads", "queue"])) } catch {
            problems.note(error)
        }
        do { try decodeTheme(top.section("theme", allowed: ["name", "colors", "title"])) } catch { problems.note(error) }
        do {
            try decodeState(
                top.section(
                    "state",
                    allowed: [
                        "backend", "path", "url", "timeout_ms", "host", "port", "database", "user", "password", "sslmode", "sslrootcert",
                    ]
                )
            )
        } catch { problems.note(error) }
        do { try decodeOnline(top.section("online", allowed: ["turn_s", "match"])) } catch { problems.note(error) }
        if let deploy = top.node("deploy") {
            do {
                self.deploy = try DeploySettings(decoding: deploy, source: source, settings: self, problems: problems)
            } catch { problems.note(error) }
        }
        try problems.throwIfAny()
    }

    private mutating func decodeServer(_ section: MappingReader) throws(ConfigError) {
        if let host = try section.string("host", default: nil) {
            if host.isEmpty || host.contains(where: \.isWhitespace) {
                section.problems.note(
                    ConfigError(
                        .invalidValue,
                        at: section.mark(of: "host"),
                        key: "server.host",
                        "expected an address to listen on, such as 0.0.0.0 or ::, found `\(host)`"
                    )
                )
            } else {
                server.host = host
            }
        }
        server.port = try section.int("port", default: server.port, in: 1...65535)
        server.maxBodyBytes = try section.int("max_body_bytes", default: server.maxBodyBytes, in: 256...1_048_576, unit: " (bytes)")
        server.shutdownGraceSeconds = try section.int("shutdown_grace_s", default: server.shutdownGraceSeconds, in: 1...120, unit: " (seconds)")
        server.logLevel = try section.choice("log_level", default: server.logLevel)
        server.logFormat = try section.choice("log_format", default: server.logFormat)
        server.heartbeatSeconds = try section.int(
            "heartbeat_s",
            default: server.heartbeatSeconds,
            in: 1...55,
            unit: " (seconds, under a load balancer's 60 s idle timeout)"
        )
        let limits = try section.section("limits", allowed: ["games_per_minute", "moves_per_minute"])
        server.limits.gamesPerMinute = try limits.optionalInt("games_per_minute", in: 1...100_000)
        server.limits.movesPerMinute = try limits.optionalInt("moves_per_minute", in: 1...100_000)
        let games = try section.section("games", allowed: ["max", "idle_minutes"])
        server.games.maxGames = try games.int("max", default: server.games.maxGames, in: 10...10_000_000)
        server.games.idleMinutes = try games.int("idle_minutes", default: server.games.idleMinutes, in: 1...10_080, unit: " (minutes)")
        server.trustedProxies = try section.cidrList("trusted_proxies")
        server.idleTimeoutSeconds = try section.int("idle_timeout_s", default: server.idleTimeoutSeconds, in: 5...3600, unit: " (seconds)")
        server.headerTimeoutSeconds = try section.int("header_timeout_s", default: server.headerTimeoutSeconds, in: 1...300, unit: " (seconds)")
        server.bodyTimeoutSeconds = try section.int("body_timeout_s", default: server.bodyTimeoutSeconds, in: 1...300, unit: " (seconds)")
        server.maxHeaderBytes = try section.int("max_header_bytes", default: server.maxHeaderBytes, in: 1024...81_920, unit: " (bytes)")
        server.maxConnections = try section.optionalInt("max_connections", in: 16...1_000_000)
        server.maxConnectionsPerClient = try section.int("max_connections_per_client", default: server.maxConnectionsPerClient, in: 1...1_000_000)
        let streams = try section.section("streams", allowed: ["per_client", "max"])
        server.streams.perClient = try streams.int("per_client", default: server.streams.perClient, in: 1...10_000)
        server.streams.max = try streams.optionalInt("max", in: 1...1_000_000)
        server.behindHTTPS = try section.bool("behind_https", default: server.behindHTTPS)
        let metrics = try section.section("metrics", allowed: ["format", "interval_s", "namespace"])
        server.metrics.format = try metrics.choice("format", default: server.metrics.format)
        server.metrics.intervalSeconds = try metrics.int("interval_s", default: server.metrics.intervalSeconds, in: 1...3600, unit: " (seconds)")
        if let namespace = try metrics.string("namespace", default: nil) {
            if (1...255).contains(namespace.count), namespace.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/#:".contains($0)) }) {
                server.metrics.namespace = namespace
            } else {
                metrics.problems.note(
                    ConfigError(
                        .invalidValue,
                        at: metrics.mark(of: "namespace"),
                        key: "server.metrics.namespace",
                        "expected a CloudWatch namespace of 1 to 255 letters, digits and . _ - / # :, found `\(namespace)`"
                    )
                )
            }
        }
    }

    private mutating func decodeBoard(_ section: MappingReader) throws(ConfigError) {
        let sides = BoardShape.sideRange
        let known = section.problems.count
        let rows = try section.int("rows", default: 3, in: sides)
        let cols = try section.int("cols", default: 3, in: sides)
        board.rule = try section.choice("rule", default: board.rule)
        // The win length is checked against the board's sides, which are unknown if either was wrong.
        guard section.problems.count == known else { return }
        let longest = max(rows, cols)
        let k = try section.int(
            "win_length",
            default: min(3, longest),
            in: BoardShape.minimumWinLength...longest,
            unit: " (at most the board's longer side)"
        )
        do {
            board.shape = try BoardShape(rows: rows, cols: cols, winLength: k)
        } catch {
            throw ConfigError(.outOfRange, at: section.mark, key: "board", error.description)
        }
    }

    private mutating func decodePlayers(_ section: MappingReader) throws(ConfigError) {
        if let symbols = try section.stringList("symbols") {
            guard symbols.count == 2 else {
                throw section.invalid("symbols", "expected exactly two symbols, such as [X, O], found \(symbols.count)")
            }
            for (symbol, mark) in symbols where symbol.isEmpty || symbol.count > 3 || symbol.contains(where: \.isWhitespace) {
                throw ConfigError(
                    .invalidValue,
                    at: mark,
                    key: "players.symbols",
                    "a symbol is 1 to 3 characters without spaces, found \"\(symbol)\""
                )
            }
            guard symbols[0].0 != symbols[1].0 else {
                throw ConfigError(.invalidValue, at: symbols[1].1, key: "players.symbols", "the two symbols must differ, both are `\(symbols[0].0)`")
            }
            players.firstSymbol = symbols[0].0
            players.secondSymbol = symbols[1].0
        }
        if let first = try section.string("first", default: nil) {
            guard let seat = players.seat(for: first) else {
                throw section.invalid("first", "expected one of the symbols `\(players.firstSymbol)` or `\(players.secondSymbol)`, found `\(first)`")
            }
            if seat == .second { swap(&players.firstSymbol, &players.secondSymbol) }
        }
    }

    private mutating func decodeOpponent(_ section: MappingReader) throws(ConfigError) {
        opponent.kind = try section.choice("kind", default: opponent.kind)
        if let plays = try section.string("plays", default: nil) {
            guard let seat = players.seat(for: plays) else {
                throw section.invalid("plays", "expected one of the symbols `\(players.firstSymbol)` or `\(players.secondSymbol)`, found `\(plays)`")
            }
            opponent.computerSeat = seat
        }
        opponent.level = try section.choice("level", default: opponent.level)
        opponent.thinkMilliseconds = try section.int("think_ms", default: opponent.thinkMilliseconds, in: 10...10_000, unit: " (milliseconds)")
        opponent.threads = try section.int("threads", default: opponent.threads, in: 1...64)
        opponent.queueCapacity = try section.int("queue", default: opponent.queueCapacity, in: 0...10_000)
    }

    private mutating func decodeOnline(_ section: MappingReader) throws(ConfigError) {
        online.turnSeconds = try Self.turnClock(section, "turn_s", default: online.turnSeconds)
        let match = try section.section("match", allowed: ["turn_s", "wait_s", "per_client", "max"])
        online.match.turnSeconds = try Self.turnClock(match, "turn_s", default: online.match.turnSeconds)
        online.match.waitSeconds = try match.int("wait_s", default: online.match.waitSeconds, in: 5...3600, unit: " (seconds)")
        online.match.perClient = try match.int("per_client", default: online.match.perClient, in: 1...100)
        online.match.max = try match.int("max", default: online.match.max, in: 2...1_000_000)
    }

    /// A turn clock's seconds, or `off` for none.
    private static func turnClock(_ section: MappingReader, _ key: String, default fallback: Int?) throws(ConfigError) -> Int? {
        guard section.has(key) else { return fallback }
        if section.node(key)?.scalar == "off" { return nil }
        guard let seconds = try section.optionalInt(key, in: 1...86_400, unit: " (seconds, or `off`)") else { return fallback }
        return seconds
    }

    private mutating func decodeTheme(_ section: MappingReader) throws(ConfigError) {
        theme.name = try section.choice("name", default: theme.name)
        if let title = try section.string("title", default: nil) {
            guard (1...60).contains(title.count) else {
                throw section.invalid("title", "expected a title of 1 to 60 characters, found \(title.count)")
            }
            theme.title = title
        }
        let colors = try section.section("colors", allowed: ThemeSettings.colorNames)
        for name in ThemeSettings.colorNames {
            guard let value = try colors.string(name, default: nil) else { continue }
            guard ThemeSettings.isHexColor(value) else {
                colors.problems.note(
                    ConfigError(
                        .invalidValue,
                        at: colors.mark(of: name),
                        key: "theme.colors.\(name)",
                        "expected a colour as \"#rgb\" or \"#rrggbb\" (quoted: # starts a YAML comment), found `\(value)`"
                    )
                )
                continue
            }
            theme.colorOverrides[name] = value.lowercased()
        }
    }

    private mutating func decodeState(_ section: MappingReader) throws(ConfigError) {
        state.backend = try section.choice("backend", default: state.backend)
        if let path = try section.string("path", default: nil) {
            guard !path.isEmpty else {
                throw ConfigError(.invalidValue, at: section.mark(of: "path"), key: "state.path", "expected a file path, found an empty string")
            }
            state.path = path
        }
        if let url = try section.string("url", default: nil) {
            do {
                state.url = try PostgresURL(url)
            } catch {
                throw ConfigError(.invalidValue, at: section.mark(of: "url"), key: "state.url", error.description)
            }
        }
        state.timeoutMilliseconds = try section.int("timeout_ms", default: state.timeoutMilliseconds, in: 100...60_000, unit: " (milliseconds)")
        try decodePostgres(section)
    }

    /// The separate database settings over the URL's parts (see ``PostgresSettings``).
    private mutating func decodePostgres(_ section: MappingReader) throws(ConfigError) {
        /// Where `key`'s value came from: its environment variable, or the file's key.
        func origin(_ key: String) -> String {
            let source = section.mark(of: key).source
            let prefix = "environment variable "
            return source.hasPrefix(prefix) ? String(source.dropFirst(prefix.count)) : "state.\(key)"
        }
        func nonEmpty(_ key: String) throws(ConfigError) -> String? {
            guard let value = try section.string(key, default: nil) else { return nil }
            guard !value.isEmpty else {
                throw ConfigError(.invalidValue, at: section.mark(of: key), key: "state.\(key)", "expected a value, found an empty string")
            }
            return value
        }
        var postgres = state.url.map { PostgresSettings(url: $0, source: origin("url")) }
        let host = try nonEmpty("host")
        if postgres == nil, host != nil { postgres = PostgresSettings() }
        let port = try section.optionalInt("port", in: 1...65535)
        let database = try nonEmpty("database")
        let user = try nonEmpty("user")
        let password = try section.string("password", default: nil)
        if password != nil, origin("password") == "state.password" {
            throw section.invalid(
                "password",
                "a password does not belong in a config file: set the PGPASSWORD environment variable (from a secret), or give DATABASE_URL"
            )
        }
        let sslMode = section.has("sslmode") ? try section.choice("sslmode", default: PostgresSettings.SSLMode.prefer) : nil
        let sslRootCert = try nonEmpty("sslrootcert")
        guard var settings = postgres else {
            for key in ["port", "database", "user", "password", "sslmode", "sslrootcert"] where section.has(key) {
                throw ConfigError(
                    .invalidValue,
                    at: section.mark(of: key),
                    key: "state.\(key)",
                    "\(origin(key)) is given but no database host: set state.host or PGHOST, or give state.url or DATABASE_URL"
                )
            }
            return
        }
        /// Sets one field from its key, recording where it came from under `name` (libpq's word).
        func take<Value>(_ value: Value?, _ field: WritableKeyPath<PostgresSettings, Value>, key: String, name: String? = nil) {
            guard let value else { return }
            settings[keyPath: field] = value
            settings.sources[name ?? key] = origin(key)
        }
        take(host, \.host, key: "host")
        take(port, \.port, key: "port")
        take(database, \.database, key: "database", name: "dbname")
        take(user, \.user, key: "user")
        if settings.sources["dbname"] == nil { settings.database = settings.user }  // libpq's default
        if let password {  // optional in the settings: not through `take`, which would wrap it
            settings.password = password
            settings.sources["password"] = origin("password")
        }
        take(sslMode, \.sslMode, key: "sslmode")
        if let sslRootCert {
            guard settings.sslMode == .verifyFull else {
                throw ConfigError(
                    .invalidValue,
                    at: section.mark(of: "sslrootcert"),
                    key: "state.sslrootcert",
                    "a CA file is used only with sslmode verify-full, but sslmode is `\(settings.sslMode.rawValue)` (\(settings.sources["sslmode"] ?? "default"))"
                )
            }
            settings.sslRootCert = sslRootCert
            settings.sources["sslrootcert"] = origin("sslrootcert")
        }
        state.postgres = settings
    }
}
