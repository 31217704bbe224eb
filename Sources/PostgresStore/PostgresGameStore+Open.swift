public import Config
public import Logging
public import Server

extension PostgresGameStore {
    /// The store for `database` with `options`, as ``PostgresOpener`` expects: what
    /// `tictactoe serve` passes to `AppParts.make` in builds with the `PostgreSQL` trait.
    public static func open(_ database: PostgresSettings, options: StoreOptions, logger: Logger) throws(StoreError) -> any GameStore {
        try PostgresGameStore(
            database: database,
            timeout: options.timeout,
            maxGames: options.maxGames,
            idleTimeout: options.idleTimeout,
            logger: logger
        )
    }
}
