public import Hummingbird
import JSONText
import NIOCore

/// A refused request, answered with the contract's JSON body
/// `{"error": {"code": "...", "message": "..."}}` and a 4xx or 503 status.
public struct APIError: HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable word.
    public var code: String
    /// For people.
    public var message: String
    /// Seconds to wait before trying again, sent as `Retry-After` with 429 and 503 (default 1).
    public var retryAfterSeconds: Int?
    /// Methods the resource does allow, sent as `Allow` with 405.
    public var allow: [HTTPRequest.Method] = []
    /// What went wrong inside, for the log only: ``APIErrorMiddleware`` logs it under the request's
    /// id and answers with that id instead (`requestId`), so no backend's own text reaches a client.
    public var cause: String?
    /// The request's id, sent as `requestId` when there is a ``cause`` to find in the log.
    public var requestID: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .serviceUnavailable || status == .tooManyRequests { headers[.retryAfter] = String(retryAfterSeconds ?? 1) }
        if !allow.isEmpty { headers[.allow] = allow.map(\.rawValue).joined(separator: ", ") }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    var body: String {
        let id = requestID.map { ",\"requestId\":\(jsonQuoted($0))" } ?? ""
        return "{\"error\":{\"code\":\(jsonQuoted(code)),\"message\":\(jsonQuoted(message))\(id)}}"
    }
}

extension APIError {
    static func notFound(_ id: String) -> APIError {
        APIError(.notFound, "game_not_found", "no game has the id \"\(id.prefix(40))\"; it may have expired")
    }
    static let busy = APIError(.serviceUnavailable, "busy", "the computer is thinking about too many games; try again in a moment")
    /// The store failed; the answer says only that, the log says why (``cause``).
    static func unavailable(_ cause: StoreError) -> APIError {
        var error = APIError(.serviceUnavailable, "unavailable", "game storage is not available; try again in a moment")
        error.cause = cause.description
        return error
    }
}
