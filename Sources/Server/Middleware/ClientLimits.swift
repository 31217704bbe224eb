import Config
import Hummingbird
import HTTPTypes

/// The configured per-client budgets for creating games and for moves (`server.limits`).
struct ClientLimits: Sendable {
    let games: RateLimiter?
    let moves: RateLimiter?

    init(_ limits: RateLimits) {
        games = limits.gamesPerMinute.map { RateLimiter(perMinute: $0) }
        moves = limits.movesPerMinute.map { RateLimiter(perMinute: $0) }
    }

    func admitGame(_ request: Request, _ context: AppRequestContext) throws(APIError) {
        guard let games else { return }
        guard games.admit(Self.client(request, context)) else {
            throw APIError(.tooManyRequests, "rate_limited", "too many new games from this address; wait a minute")
        }
    }

    func admitMove(_ request: Request, _ context: AppRequestContext) throws(APIError) {
        guard let moves else { return }
        guard moves.admit(Self.client(request, context)) else {
            throw APIError(.tooManyRequests, "rate_limited", "too many moves from this address; wait a minute")
        }
    }

    /// The client's address: behind a load balancer, the last `X-Forwarded-For` entry (the one the
    /// balancer added, which a client cannot forge); otherwise the connection's peer.
    static func client(_ request: Request, _ context: AppRequestContext) -> String {
        if let forwarded = request.headers[.xForwardedFor],
            let last = forwarded.split(separator: ",").last?.trimmingSpaces, !last.isEmpty
        {
            return last
        }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

extension HTTPTypes.HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
