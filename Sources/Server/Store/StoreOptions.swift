public import Config
public import Logging

/// Opens a store on a PostgreSQL database; connects lazily, so that it throws only for settings it
/// cannot use (an unreadable CA file), never for an unreachable database.
public typealias PostgresOpener = @Sendable (PostgresSettings, StoreOptions, Logger) throws(StoreError) -> any GameStore

/// What every store is told besides where its data lives.
public struct StoreOptions: Sendable, Equatable {
    /// How long one operation may take before it fails with a ``StoreError`` (a 503).
    public var timeout: Duration
    /// The most games kept; the oldest idle ones go first.
    public var maxGames: Int
    /// Games untouched this long are deleted.
    public var idleTimeout: Duration

    public init(timeout: Duration, maxGames: Int, idleTimeout: Duration) {
        self.timeout = timeout
        self.maxGames = maxGames
        self.idleTimeout = idleTimeout
    }

    /// The options `settings` give.
    public init(_ settings: Settings) {
        self.init(
            timeout: .milliseconds(settings.state.timeoutMilliseconds),
            maxGames: settings.server.games.maxGames,
            idleTimeout: .seconds(settings.server.games.idleMinutes * 60)
        )
    }
}
