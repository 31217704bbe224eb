import Config
import Game
import Hummingbird
import NIOCore

/// The quick-match queue under `/api/match`: `POST` joins (201 paired at once, 202 waiting, with
/// the ticket), `GET` waits for a pairing (up to `?wait=` seconds), `DELETE` leaves. The ticket
/// travels as `Authorization: Bearer` and becomes the seat token of the game it is paired into.
struct MatchRoutes {
    let service: GameService
    let clients: ClientAddress
    let limits: ClientLimits
    let maxBodyBytes: Int
    /// The longest a `GET` waits, well under a load balancer's idle timeout.
    static let longestWait = 25

    func add(to router: some RouterMethods<AppRequestContext>) {
        let api = router.group("api")
        api.post("match", use: join)
        api.get("match", use: status)
        api.delete("match", use: leave)
    }

    @Sendable func join(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        _ = try await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: true)
        try limits.admitGame(request, context)
        let (ticket, answer) = try await service.joinMatch(client: clients.of(request, context))
        return response(answer, ticket: ticket, includeTicket: true, status: { if case .matched = answer { .created } else { .accepted } }())
    }

    @Sendable func status(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ticket = try Self.ticket(of: request)
        var wait = Self.longestWait
        if let text = request.uri.queryParameters["wait"] {
            guard let seconds = Int(text), (0...Self.longestWait).contains(seconds) else {
                throw APIError(.badRequest, "invalid_query", "`wait` is the seconds to wait for an opponent, 0 to \(Self.longestWait)")
            }
            wait = seconds
        }
        // HEAD (answered by this route) asks where the ticket stands, not to wait.
        if request.method == .head { wait = 0 }
        let answer = try await service.matchStatus(ticket: ticket, wait: .seconds(wait))
        return response(answer, ticket: ticket, includeTicket: false, status: .ok)
    }

    @Sendable func leave(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ticket = try Self.ticket(of: request)
        guard let answer = try await service.leaveMatch(ticket: ticket) else {
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        return response(answer, ticket: ticket, includeTicket: false, status: .ok)
    }

    static func ticket(of request: Request) throws(APIError) -> SeatToken {
        switch request.bearer {
        case .token(let token): return token
        case .none:
            throw APIError(.unauthorized, "ticket_required", "send the ticket that joining the queue gave as `Authorization: Bearer <ticket>`")
        case .malformed:
            throw APIError(.badRequest, "invalid_ticket", "the Authorization header holds no valid ticket")
        }
    }

    /// The contract's Match object: `status`, the `ticket` (in the answer that created it), the
    /// `queue`, `waitSeconds` and, once paired, the `game` (with `you` and the seat `token`).
    func response(_ answer: MatchAnswer, ticket: SeatToken, includeTicket: Bool, status: HTTPResponse.Status) -> Response {
        var buffer = ByteBuffer()
        switch answer {
        case .waiting: buffer.writeString("{\"status\":\"waiting\"")
        case .matched: buffer.writeString("{\"status\":\"matched\"")
        }
        if includeTicket { buffer.writeString(",\"ticket\":\"\(ticket.rawValue)\"") }
        buffer.writeString(",\"queue\":\"\(service.matchQueueName)\",\"waitSeconds\":\(service.settings.online.match.waitSeconds),\"game\":")
        switch answer {
        case .waiting:
            buffer.writeString("null")
        case .matched(let record, let seat):
            GameResponse(record, players: service.settings.players, you: seat, token: ticket).write(to: &buffer)
        }
        buffer.writeString("}")
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: buffer)
        )
    }
}
