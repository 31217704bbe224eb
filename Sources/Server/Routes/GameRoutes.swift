import Config
import Hummingbird
import NIOCore

/// The JSON API under `/api`.
struct GameRoutes {
    let service: GameService
    let limits: ClientLimits
    let maxBodyBytes: Int
    let version: String

    func add(to router: some RouterMethods<AppRequestContext>) {
        let api = router.group("api")
        api.get("config") { _, _ in PublicConfig(service.settings, version: version) }
        api.post("games", use: create)
        api.get("games/:id", use: game)
        api.post("games/:id/moves", use: move)
        api.post("games/:id/resign", use: resign)
        api.post("games/:id/rematch", use: rematch)
        api.post("games/:id/seats", use: claimSeat)
    }

    /// The game; with a seat token, `you` names the caller's seat.
    @Sendable func game(_ request: Request, context: AppRequestContext) async throws -> Response {
        let record = try await service.game(context.parameters.require("id"))
        let you = record.seat(heldBy: request.bearer.token)
        return GameResponse(record, players: service.settings.players, you: you).response(status: .ok)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let body = try CreateGameRequest(await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: true))
        var opponent: OpponentKind?
        if let name = body.opponent {
            if name == "online" {
                try limits.admitGame(request, context)
                let (record, token) = try await service.createOnline()
                return GameResponse(record, players: service.settings.players, you: .first, token: token)
                    .response(status: .created, location: true)
            }
            guard let kind = OpponentKind(rawValue: name) else {
                throw APIError(.badRequest, "invalid_body", "`opponent` must be \"human\", \"computer\" or \"online\", not \"\(name.prefix(40))\"")
            }
            opponent = kind
        }
        try limits.admitGame(request, context)
        let record = try await service.create(opponent: opponent)
        return created(record)
    }

    /// Takes the open seat of an online game: 201 with a new token, or 200 with the seat that the
    /// request's token already holds.
    @Sendable func claimSeat(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        _ = try await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: true)
        let claim = try await service.claimSeat(in: context.parameters.require("id"), bearer: request.bearer.token)
        return GameResponse(claim.record, players: service.settings.players, you: claim.seat, token: claim.token)
            .response(status: claim.token == nil ? .ok : .created)
    }

    @Sendable func move(_ request: Request, context: AppRequestContext) async throws -> GameResponse {
        var request = request
        let id = try context.parameters.require("id")
        let body = try MoveRequest(await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: false))
        let cell: Cell
        switch (body.index, body.row, body.col) {
        case (let i?, nil, nil):
            cell = .index(i)
        case (nil, let row?, let col?):
            cell = .rowColumn(row: row, col: col)
        case (nil, nil, nil):
            throw APIError(.badRequest, "invalid_body", "say which cell: {\"index\": i} or {\"row\": r, \"col\": c}")
        case (.some, _, _):
            throw APIError(.badRequest, "invalid_body", "give either `index` or `row` and `col`, not both")
        default:
            throw APIError(.badRequest, "invalid_body", "`row` and `col` go together")
        }
        try limits.admitMove(request, context)
        let bearer = request.bearer
        let record = try await service.move(in: id, cell: cell, expectedVersion: body.version, bearer: bearer)
        return GameResponse(record, players: service.settings.players, you: record.seat(heldBy: bearer.token))
    }

    /// The caller gives up: 200 with the finished game, the other side the winner.
    @Sendable func resign(_ request: Request, context: AppRequestContext) async throws -> GameResponse {
        var request = request
        let body = try ResignRequest(await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: true))
        try limits.admitMove(request, context)
        let bearer = request.bearer
        let record = try await service.resign(in: context.parameters.require("id"), expectedVersion: body.version, bearer: bearer)
        return GameResponse(record, players: service.settings.players, you: record.seat(heldBy: bearer.token))
    }

    @Sendable func rematch(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        _ = try await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: true)
        let bearer = request.bearer
        let record = try await service.rematch(of: context.parameters.require("id"), bearer: bearer)
        return GameResponse(record, players: service.settings.players, you: record.seat(heldBy: bearer.token))
            .response(status: .created, location: true)
    }

    private func created(_ record: GameRecord) -> Response {
        GameResponse(record, players: service.settings.players).response(status: .created, location: true)
    }
}
