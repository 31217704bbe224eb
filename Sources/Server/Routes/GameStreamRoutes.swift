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
/// Streams end when the server shuts down gracefully; browsers then reconnect to another task.
struct GameStreamRoutes {
    let service: GameService

    static let lastEventID = HTTPField.Name("Last-Event-ID")
    static let accelBuffering = HTTPField.Name("X-Accel-Buffering")

    func add(to router: Router<AppRequestContext>) {
        router.group("api").get("games/:id/events", use: stream)
    }

    @Sendable func stream(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let gameID = GameID(id) else { throw APIError.notFound(id) }
        let events = service.events
        // Subscribe before reading, so that no change between the two is missed.
        guard let subscription = events.subscribe(to: gameID) else {
            throw APIError(.serviceUnavailable, "too_many_streams", "this server is watching as many games as it can; try again shortly")
        }
        let current: GameRecord
        do {
            current = try await service.game(id)
        } catch {
            events.cancel(subscription)
            throw error
        }
        let resumeFrom = Self.lastEventID.flatMap { request.headers[$0] }.flatMap(Revision.init)
        let players = service.settings.players
        var headers: HTTPFields = [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"]
        if let name = Self.accelBuffering { headers[name] = "no" }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                await withGracefulShutdownHandler {
                    var shown = resumeFrom
                    do {
                        var opening = ByteBuffer(string: "retry: 1000\n\n")
                        if shown.map({ current.revision.isNewer(than: $0) }) ?? true {
                            Self.writeEvent(current, players: players, to: &opening)
                            shown = current.revision
                        }
                        try await writer.write(opening)
                        for await event in subscription.events {
                            switch event {
                            case .heartbeat:
                                try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                            case .game(let record):
                                guard shown.map({ record.revision.isNewer(than: $0) }) ?? true else { continue }
                                var buffer = ByteBuffer()
                                Self.writeEvent(record, players: players, to: &buffer)
                                try await writer.write(buffer)
                                shown = record.revision
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
            })
    }

    static func writeEvent(_ record: GameRecord, players: PlayerSettings, to buffer: inout ByteBuffer) {
        buffer.writeString("id: \(record.revision)\ndata: ")
        GameResponse(record, players: players).write(to: &buffer)
        buffer.writeString("\n\n")
    }
}
