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
        guard let games else { return }
        guard games.admit(clients.of(request, context)) else {
            GameMetrics.refused("rate_limited")
            throw APIError(
                .tooManyRequests,
                "rate_limited",
                "too many new games from this address; wait a minute",
                retryAfterSeconds: games.secondsToNextWindow
            )
        }
    }

    func admitMove(_ request: Request, _ context: AppRequestContext) throws(APIError) {
        guard let moves else { return }
        guard moves.admit(clients.of(request, context)) else {
            GameMetrics.refused("rate_limited")
            throw APIError(
                .tooManyRequests,
                "rate_limited",
                "too many moves from this address; wait a minute",
                retryAfterSeconds: moves.secondsToNextWindow
            )
        }
    }
}
