import Config
import HTTPTypes
import Hummingbird

/// Whose budget a request spends: the connection's peer, unless the peer is a trusted proxy.
///
/// Behind trusted proxies the client is the right-most `X-Forwarded-For` entry that is not itself
/// a trusted proxy: each proxy appends the address it saw, so entries to the left of that one
/// are whatever the client wrote and are never believed. A peer that is not trusted is its own
/// client, whatever headers it sends.
struct ClientAddress: Sendable {
    let trustedProxies: [CIDR]

    func of(_ request: Request, _ context: AppRequestContext) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard isTrusted(peer) else { return peer }
        let entries = request.headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        var client = peer
        for entry in entries.reversed() {
            client = entry
            guard isTrusted(entry) else { break }
        }
        return client
    }

    private func isTrusted(_ address: String) -> Bool {
        guard !trustedProxies.isEmpty, let bytes = IPAddressBytes.parse(address) else { return false }
        return trustedProxies.contains { $0.contains(bytes: bytes) }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

extension HTTPTypes.HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
