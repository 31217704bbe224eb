/// A PostgreSQL connection URL, `postgres://user:password@host:port/database?sslmode=mode`, taken
/// apart. Percent-escapes in the user, password and database are decoded.
///
/// Holds the password: print ``redacted`` rather than the URL itself.
public struct PostgresURL: Hashable, Sendable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// The URL as given, with its user and password replaced by `***`.
    public var redacted: String

    /// libpq's `sslmode` values that this client supports.
    public enum SSLMode: String, Hashable, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS always, without checking the certificate.
        case require
        /// TLS always, with the certificate checked against the system's trusted roots and the host name.
        case verifyFull = "verify-full"
    }

    /// Parses `text`; the error says what is wrong without repeating the password.
    public init(_ text: String) throws(PostgresURLError) {
        redacted = StateSettings.redact(text)
        let scheme = ["postgres://", "postgresql://"].first { text.hasPrefix($0) }
        guard let scheme else {
            throw PostgresURLError("expected a URL such as postgres://user:password@host:5432/db, found `\(redacted)`")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        if let at = rest.lastIndex(of: "@"), rest[..<at].contains(where: { $0 == "/" || $0 == "?" }) {
            throw PostgresURLError(
                "the user name or password in `\(redacted)` holds a `/`, `?` or `@`: write them as %2F, %3F and %40"
            )
        }
        var query = Substring("")
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var credentials: Substring?
        if let at = rest.lastIndex(of: "@") {
            credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        (host, port) = try Self.hostAndPort(rest, in: redacted)
        user = "postgres"
        password = nil
        if let credentials {
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decode(credentials[..<colon], what: "user name", in: redacted)
                password = try Self.decode(credentials[credentials.index(after: colon)...], what: "password", in: redacted)
            } else {
                user = try Self.decode(credentials, what: "user name", in: redacted)
            }
        }
        guard !user.isEmpty else { throw PostgresURLError("`\(redacted)` has an empty user name") }
        database = path.isEmpty ? user : try Self.decode(path, what: "database name", in: redacted)
        sslMode = try Self.sslMode(query, in: redacted)
    }

    /// The host and port after the user and password; an IPv6 host is written in brackets.
    private static func hostAndPort(_ rest: Substring, in redacted: String) throws(PostgresURLError) -> (String, Int) {
        var hostPart = rest
        var portText: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw PostgresURLError("the IPv6 host in `\(redacted)` has no closing `]`")
            }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw PostgresURLError("unexpected `\(after)` after the host in `\(redacted)`")
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portText = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        guard !hostPart.isEmpty else {
            throw PostgresURLError("`\(redacted)` names no host; expected postgres://user@host:5432/db")
        }
        guard let portText else { return (String(hostPart), 5432) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw PostgresURLError("the port in `\(redacted)` must be a number from 1 to 65535, found `\(portText)`")
        }
        return (String(hostPart), port)
    }

    /// The `sslmode` of the query (default `prefer`); libpq's other parameters are refused but two harmless ones.
    private static func sslMode(_ query: Substring, in redacted: String) throws(PostgresURLError) -> SSLMode {
        var sslMode = SSLMode.prefer
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = parts[0]
            let value = parts.count > 1 ? String(parts[1]) : ""
            switch name {
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    let names = SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresURLError("sslmode must be one of \(names), found `\(value)`")
                }
                sslMode = mode
            case "application_name", "connect_timeout":
                continue
            default:
                throw PostgresURLError("unknown URL parameter `\(name)` in `\(redacted)`; supported: sslmode")
            }
        }
        return sslMode
    }

    private static func decode(_ text: Substring, what: String, in redacted: String) throws(PostgresURLError) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw PostgresURLError("the \(what) in `\(redacted)` has a `%` that is not followed by two hex digits")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why a PostgreSQL URL was refused. Never contains the password.
public struct PostgresURLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
