/// An `http://` or `https://` URL as the smoke game uses it: host, port, and a base path that
/// every request path is appended to.
struct SmokeURL: Sendable, CustomStringConvertible {
    let isHTTPS: Bool
    let host: String
    let port: Int
    /// Without a trailing `/`: empty for the site's root.
    let basePath: String

    /// `nil` for anything but `http://HOST[:PORT][/PATH]` or `https://…` with a port from 1 to 65535.
    init?(_ text: String) {
        let scheme: Substring
        if text.hasPrefix("http://") {
            scheme = "http"
        } else if text.hasPrefix("https://") {
            scheme = "https"
        } else {
            return nil
        }
        isHTTPS = scheme == "https"
        let rest = text.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" }
        var path = String(rest.dropFirst(authority.count))
        while path.hasSuffix("/") { path.removeLast() }
        basePath = path
        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {  // [::1]:8080
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            portPart = after.isEmpty ? nil : (after.hasPrefix(":") ? after.dropFirst() : nil)
            if !after.isEmpty, portPart == nil { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard !hostPart.isEmpty, !hostPart.contains("@") else { return nil }
        host = String(hostPart)
        if let portPart {
            guard let port = Int(portPart), (1...65535).contains(port) else { return nil }
            self.port = port
        } else {
            port = isHTTPS ? 443 : 80
        }
    }

    /// The `Host` header: the host, with the port unless it is the scheme's own.
    var hostHeader: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return port == (isHTTPS ? 443 : 80) ? shownHost : "\(shownHost):\(port)"
    }

    var description: String { "\(isHTTPS ? "https" : "http")://\(hostHeader)\(basePath)" }
}
