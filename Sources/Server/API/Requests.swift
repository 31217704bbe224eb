/// `POST /api/games`: `{}` or `{"opponent": "computer" | "human"}`.
struct CreateGameRequest: Decodable {
    var opponent: String?
}

/// `POST /api/games/{id}/moves`: `{"index": i}` or `{"row": r, "col": c}`, optionally `"version"`.
struct MoveRequest: Decodable {
    var index: Int?
    var row: Int?
    var col: Int?
    var version: Int?
}
