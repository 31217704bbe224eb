import Config
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Server
import Testing

struct ErrorBody: Decodable, Equatable {
    struct Detail: Decodable, Equatable {
        var code: String
        var message: String
        var requestId: String?
    }
    var error: Detail
}

/// Runs `body` against the application built from `yaml`, as `tictactoe serve` builds it.
func withApp(
    _ yaml: String = "",
    store: (any GameStore)? = nil,
    testing: TestingSetup = .router,
    _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let settings = try ConfigLoader.parse(yaml, source: "test.yaml")
    let parts = try AppParts(settings: settings, store: store)
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    let app = buildApplication(parts, logger: logger)
    try await app.test(testing, body)
}

extension TestClientProtocol {
    /// POSTs `json` with `Content-Type: application/json`.
    func post(_ uri: String, _ json: String = "{}") async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json))
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get)
    }

    func newGame(_ json: String = "{}") async throws -> GameResponse {
        let response = try await post("/api/games", json)
        #expect(response.status == .created)
        return try response.game()
    }

    func move(_ id: String, _ json: String) async throws -> TestResponse {
        try await post("/api/games/\(id)/moves", json)
    }
}

extension TestResponse {
    func game() throws -> GameResponse {
        try JSONDecoder().decode(GameResponse.self, from: Data(buffer: body))
    }

    func error() throws -> ErrorBody {
        try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body))
    }

    var text: String { String(buffer: body) }
}
