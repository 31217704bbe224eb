/// `POST /api/games`: `{}` or `{"opponent": "computer" | "human"}`.
struct CreateGameRequest {
    var opponent: String?

    init(_ body: JSONObject) throws(APIError) {
        opponent = try body.string("opponent")
    }
}

/// `POST /api/games/{id}/moves`: `{"index": i}` or `{"row": r, "col": c}`, optionally `"version"`.
struct MoveRequest {
    var index: Int?
    var row: Int?
    var col: Int?
    var version: Int?

    init(_ body: JSONObject) throws(APIError) {
        index = try body.int("index")
        row = try body.int("row")
        col = try body.int("col")
        version = try body.int("version")
    }
}

/// `POST /api/games/{id}/resign`: `{}` or `{"version": v}`, the version the client saw.
struct ResignRequest {
    var version: Int?

    init(_ body: JSONObject) throws(APIError) {
        version = try body.int("version")
    }
}
