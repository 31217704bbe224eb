import HTTPTypes
public import Hummingbird

/// Headers for every answer that Hummingbird's ``ContentSecurityMiddleware`` does not set.
/// Behind HTTPS, also `Strict-Transport-Security` for a year, so that browsers never try plain
/// HTTP again.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    private let headers: HTTPFields

    public init(behindHTTPS: Bool = false) {
        var headers: HTTPFields = [
            .referrerPolicy: "no-referrer",
            .crossOriginOpenerPolicy: "same-origin",
            .permissionsPolicy: "camera=(), microphone=(), geolocation=()",
        ]
        if behindHTTPS { headers[.strictTransportSecurity] = "max-age=31536000" }
        self.headers = headers
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// Everything from this server, nothing inline, no framing.
    public static var contentSecurityPolicy: ContentSecurityPolicy {
        [
            .defaultSrc(.self),
            .scriptSrc(.self),
            .styleSrc(.self),
            .imgSrc(.self),
            .connectSrc(.self),
            .objectSrc(.none),
            .baseURI(.none),
            .formAction(.none),
            .frameAncestors(.none),
        ]
    }
}

extension HTTPTypes.HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
    static let permissionsPolicy = Self("Permissions-Policy")!
    static let strictTransportSecurity = Self("Strict-Transport-Security")!
}
