public import Hummingbird
import Logging

/// Turns every error into the contract's JSON error body: ours as they are, Hummingbird's
/// (unknown route, body too large, …) with a matching code, and anything unexpected into a
/// logged 500 that still has a JSON body. An error's inner ``APIError/cause`` goes to the log
/// under the request's id, never to the answer. A path that exists but not for the request's method
/// gets 405 with `Allow`, from the methods `routes` recorded.
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods?

    public init(routes: RouteMethods? = nil) {
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch var error as APIError {
            if let cause = error.cause {
                context.logger.warning("\(error.message)", metadata: ["cause": "\(cause)", "status": "\(error.status.code)"])
                error.requestID = context.id
            }
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try translate(error.status, request: request).response(from: request, context: context)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))"])
            return try APIError(.internalServerError, "internal", "the server failed to answer; this is a bug")
                .response(from: request, context: context)
        }
    }

    func translate(_ status: HTTPResponse.Status, request: Request) -> APIError {
        if status == .notFound, let allowed = routes?.allowed(at: request.uri.path), !allowed.isEmpty {
            var error = APIError(
                .methodNotAllowed,
                "method_not_allowed",
                "\(request.method) is not allowed on \(request.uri.path); use \(allowed.map(\.rawValue).joined(separator: ", "))"
            )
            error.allow = allowed
            return error
        }
        return Self.translate(status, request: request)
    }

    static func translate(_ status: HTTPResponse.Status, request: Request) -> APIError {
        switch status {
        case .notFound:
            APIError(.notFound, "not_found", "nothing is served at \(request.method) \(request.uri.path)")
        case .methodNotAllowed:
            APIError(.methodNotAllowed, "method_not_allowed", "\(request.method) is not allowed on \(request.uri.path)")
        case .contentTooLarge:
            APIError(.contentTooLarge, "body_too_large", "the request body is too large")
        default:
            APIError(status, "http_\(status.code)", status.reasonPhrase)
        }
    }
}
