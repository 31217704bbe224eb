import Config
import Hummingbird

/// The configured per-client budgets for creating games and for moves (`server.limits`).
struct ClientLimits: Sendable {
    let games: RateLimiter?
    let moves: RateLimiter?
    let clients: ClientAddress

    init(_ limits: RateLimits, clients: ClientAddress) {
        games = limits.gamesPerMinute.map { RateLimiter(perMinute: $0) }
        moves = limits.movesPerMinute.map { RateLimiter(perMinute: $0) }
        self.clients = clients
    }

    func admitGame(_ request: Request, _ context: AppRequestContext) throws(APIError) {
        try admit(games, "new games", request, context)
    }

    func admitMove(_ request: Request, _ context: AppRequestContext) throws(APIError) {
        try admit(moves, "moves", request, context)
    }

    /// Counts the request against the client's window of `limiter` (none: no limit); refuses it
    /// with 429 and the seconds to wait when the window is full.
    private func admit(_ limiter: RateLimiter?, _ what: String, _ request: Request, _ context: AppRequestContext) throws(APIError) {
        guard let limiter else { return }
        guard limiter.admit(clients.of(request, context)) else {
            GameMetrics.refused("rate_limited")
            throw APIError(
                .tooManyRequests,
                "rate_limited",
                "too many \(what) from this address; wait a minute",
                retryAfterSeconds: limiter.secondsToNextWindow
            )
        }
    }
}
