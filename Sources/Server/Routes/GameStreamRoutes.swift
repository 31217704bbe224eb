import Config
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle

/// `GET /api/games/{id}/events`: the game's states as server-sent events, live.
///
/// Each event's `id` is the game's ``Revision`` and its `data` the Game JSON (without `you` or
/// `token`: streams are anonymous, since `EventSource` cannot send an `Authorization` header).
/// The first event is the game as it is now, unless `Last-Event-ID` shows the client has it
/// already, so a reconnecting browser resumes where it was. A comment line is sent as heartbeat.
/// A `spectators` event (`{"spectators": n}`) says how many watch the game without playing,
/// across processes; a player's page opens its stream with `?player=1` so that it is not counted.
///
/// Streams are bounded: per client address and per process (``GameEvents``), answered beyond with
/// 429 or 503 and `Retry-After`. A finished game's stream ends once nothing more can happen to it
/// (its rematch is linked) or ``finishedLinger`` after it ended; a client that reconnects holding
/// the finished game's last state gets 204, which tells `EventSource` to stop reconnecting.
/// Streams also end when the server shuts down gracefully; browsers then reconnect to another task.
struct GameStreamRoutes {
    let service: GameService
    let clients: ClientAddress
    /// How long a finished game's stream stays open for its rematch link.
    var finishedLinger: Duration = .seconds(300)

    static let lastEventID = HTTPField.Name("Last-Event-ID")
    static let accelBuffering = HTTPField.Name("X-Accel-Buffering")

    func add(to router: some RouterMethods<AppRequestContext>) {
        router.group("api").get("games/:id/events", use: stream)
    }

    static var headers: HTTPFields {
        var headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]
        if let name = accelBuffering { headers[name] = "no" }
        return headers
    }

    @Sendable func stream(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let gameID = GameID(id) else { throw APIError.notFound(id) }
        if request.method == .head {
            _ = try await service.game(id)
            return Response(status: .ok, headers: Self.headers)
        }
        let events = service.events
        // Subscribe before reading, so that no change between the two is missed.
        let subscription: GameEvents.Subscription
        do {
            let player = request.uri.queryParameters["player"] == "1"
            subscription = try events.subscribe(to: gameID, client: clients.of(request, context), spectator: !player)
        } catch {
            if error != .closed { GameMetrics.refused("too_many_streams") }
            throw Self.apiError(for: error, perClient: events.perClient)
        }
        let current: GameRecord
        do {
            current = try await service.game(id)
        } catch {
            events.cancel(subscription)
            throw error
        }
        events.track(current)
        let resumeFrom = Self.lastEventID.flatMap { request.headers[$0] }.flatMap(Revision.init)
        let clientHasCurrent = resumeFrom.map { !current.revision.isNewer(than: $0) } ?? false
        if current.state.isOver, clientHasCurrent {
            events.cancel(subscription)
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        let players = service.settings.players
        let linger = finishedLinger
        return Response(
            status: .ok,
            headers: Self.headers,
            body: ResponseBody { writer in
                await withGracefulShutdownHandler {
                    var shown = resumeFrom
                    var finishedAt: ContinuousClock.Instant? = current.state.isOver ? .now : nil
                    do {
                        var opening = ByteBuffer(string: "retry: 1000\n\n")
                        if !clientHasCurrent {
                            Self.writeEvent(current, players: players, to: &opening)
                            shown = current.revision
                        }
                        if current.isOnline { Self.writeSpectators(events.spectators(of: gameID), to: &opening) }
                        try await writer.write(opening)
                        guard !Self.isFinal(current) else { return }
                        for await event in subscription.events {
                            switch event {
                            case .spectators(let count):
                                guard current.isOnline else { continue }
                                var buffer = ByteBuffer()
                                Self.writeSpectators(count, to: &buffer)
                                try await writer.write(buffer)
                            case .heartbeat:
                                if let finishedAt, ContinuousClock.now - finishedAt >= linger { return }
                                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                            case .game(let record):
                                guard shown.map({ record.revision.isNewer(than: $0) }) ?? true else { continue }
                                var buffer = ByteBuffer()
                                Self.writeEvent(record, players: players, to: &buffer)
                                try await writer.write(buffer)
                                shown = record.revision
                                if Self.isFinal(record) { return }
                                if record.state.isOver, finishedAt == nil { finishedAt = .now }
                            }
                        }
                    } catch {
                        // The client went away.
                    }
                } onGracefulShutdown: {
                    events.cancel(subscription)
                }
                events.cancel(subscription)
                try await writer.finish(nil)
            }
        )
    }

    /// A finished game linked to its rematch: no state of it can follow.
    static func isFinal(_ record: GameRecord) -> Bool {
        record.state.isOver && record.rematchID != nil
    }

    static func apiError(for refusal: GameEvents.Refusal, perClient: Int) -> APIError {
        switch refusal {
        case .clientFull:
            APIError(
                .tooManyRequests,
                "too_many_streams",
                "this address already watches \(perClient) games live; close one first",
                retryAfterSeconds: 10
            )
        case .processFull:
            APIError(
                .serviceUnavailable,
                "too_many_streams",
                "this server is watching as many games as it can; try again shortly",
                retryAfterSeconds: 5
            )
        case .closed:
            APIError(.serviceUnavailable, "shutting_down", "this server is shutting down; try again", retryAfterSeconds: 1)
        }
    }

    static func writeSpectators(_ count: Int, to buffer: inout ByteBuffer) {
        buffer.writeString("event: spectators\ndata: {\"spectators\":\(count)}\n\n")
    }

    static func writeEvent(_ record: GameRecord, players: PlayerSettings, to buffer: inout ByteBuffer) {
        buffer.writeString("id: \(record.revision)\ndata: ")
        GameResponse(record, players: players).write(to: &buffer)
        buffer.writeString("\n\n")
    }
}
