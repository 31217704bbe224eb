import Config
import Hummingbird
import NIOCore

/// The JSON API under `/api`.
struct GameRoutes {
    let service: GameService
    let limits: ClientLimits
    let maxBodyBytes: Int
    let version: String

    func add(to router: Router<AppRequestContext>) {
        let api = router.group("api")
        api.get("config") { _, _ in PublicConfig(service.settings, version: version) }
        api.post("games", use: create)
        api.get("games/:id") { _, context in
            GameResponse(try await service.game(context.parameters.require("id")), players: service.settings.players)
        }
        api.post("games/:id/moves", use: move)
        api.post("games/:id/rematch", use: rematch)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let body = try CreateGameRequest(await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: true))
        var opponent: OpponentKind?
        if let name = body.opponent {
            guard let kind = OpponentKind(rawValue: name) else {
                throw APIError(.badRequest, "invalid_body", "`opponent` must be \"human\" or \"computer\", not \"\(name.prefix(40))\"")
            }
            opponent = kind
        }
        try limits.admitGame(request, context)
        let record = try await service.create(opponent: opponent)
        return created(record)
    }

    @Sendable func move(_ request: Request, context: AppRequestContext) async throws -> GameResponse {
        var request = request
        let id = try context.parameters.require("id")
        let body = try MoveRequest(await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: false))
        let shape = service.settings.board.shape
        let index: Int
        switch (body.index, body.row, body.col) {
        case (let i?, nil, nil):
            index = i
        case (nil, let row?, let col?):
            guard shape.contains(row: row, col: col) else {
                throw APIError(.badRequest, "outside_board", "row \(row), col \(col) is outside the board; rows are 0 to \(shape.rows - 1), cols 0 to \(shape.cols - 1)")
            }
            index = shape.index(row: row, col: col)
        case (nil, nil, nil):
            throw APIError(.badRequest, "invalid_body", "say which cell: {\"index\": i} or {\"row\": r, \"col\": c}")
        case (.some, _, _):
            throw APIError(.badRequest, "invalid_body", "give either `index` or `row` and `col`, not both")
        default:
            throw APIError(.badRequest, "invalid_body", "`row` and `col` go together")
        }
        guard (0..<shape.cellCount).contains(index) else {
            throw APIError(.badRequest, "outside_board", "cell \(index) is outside the board; cells are 0 to \(shape.cellCount - 1)")
        }
        try limits.admitMove(request, context)
        let record = try await service.move(in: id, index: index, expectedVersion: body.version)
        return GameResponse(record, players: service.settings.players)
    }

    @Sendable func rematch(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        _ = try await request.decodeJSONObject(limit: maxBodyBytes, allowEmpty: true)
        let record = try await service.rematch(of: context.parameters.require("id"))
        return created(record)
    }

    private func created(_ record: GameRecord) -> Response {
        var buffer = ByteBuffer()
        GameResponse(record, players: service.settings.players).write(to: &buffer)
        return Response(
            status: .created,
            headers: [.contentType: "application/json; charset=utf-8", .location: "/api/games/\(record.id)"],
            body: .init(byteBuffer: buffer)
        )
    }
}
