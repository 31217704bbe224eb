/// Where the PostgreSQL database is and how to reach it, assembled from a URL (`DATABASE_URL` or
/// `state.url`) and separate settings (libpq's `PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`,
/// `PGPASSWORD`, `PGSSLMODE`, `PGSSLROOTCERT`, or `state.host`… in the file).
///
/// Each part comes from the first of: its separate setting (the environment variable before the
/// file's key), the URL (`DATABASE_URL` before `state.url`), the default. Separate settings let a
/// password hold any punctuation without URL escaping, and let a stack pass the database's own
/// attributes and a generated secret's keys as they are. ``sources`` records where each part came
/// from; ``summary`` shows them with the password redacted.
///
/// Holds the password: print ``summary``, never the value itself.
public struct PostgresSettings: Hashable, Sendable {
    public typealias SSLMode = PostgresURL.SSLMode

    public var host = "localhost"
    public var port = 5432
    public var user = "postgres"
    public var password: String?
    /// By default the user's name, as libpq has it.
    public var database = "postgres"
    public var sslMode = SSLMode.prefer
    /// A PEM file of the certificate authorities to trust instead of the system's, with
    /// `verify-full` (e.g. Amazon RDS's bundle, which Debian's `ca-certificates` lacks).
    public var sslRootCert: String?
    /// Where each part came from, by libpq's name for it (`host`, `port`, `dbname`, `user`,
    /// `password`, `sslmode`, `sslrootcert`): an environment variable, a file's key, `DATABASE_URL`
    /// or `state.url`. Parts not listed have their default.
    public var sources: [String: String] = [:]

    public init() {}

    /// The parts that `url` names, noted as coming from `source`.
    public init(url: PostgresURL, source: String) {
        host = url.host
        port = url.port
        user = url.user
        password = url.password
        database = url.database
        sslMode = url.sslMode
        for part in ["host", "port", "user", "dbname", "sslmode"] { sources[part] = source }
        if url.password != nil { sources["password"] = source }
    }

    /// One line per part with its source, the password shown as `***`.
    public var summary: [String] {
        func line(_ name: String, _ value: String) -> String {
            "\(name): \(value)  # \(sources[name] ?? "default")"
        }
        var lines = [
            line("host", host), line("port", String(port)), line("dbname", database), line("user", user),
            line("password", password == nil ? "(none)" : "***"), line("sslmode", sslMode.rawValue),
        ]
        if let sslRootCert { lines.append(line("sslrootcert", sslRootCert)) }
        return lines
    }
}
