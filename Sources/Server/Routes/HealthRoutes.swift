import Hummingbird
import NIOCore

/// Liveness and readiness, for container orchestrators and load balancers.
///
/// `/readyz` answers from ``StoreReadiness``, so probes cannot drive the database.
struct HealthRoutes {
    let readiness: StoreReadiness

    func add(to router: some RouterMethods<AppRequestContext>) {
        router.get("healthz") { _, _ in Self.json("{\"status\":\"ok\"}") }
        router.get("readyz") { _, _ in
            if let failure = await readiness.failure() { throw APIError.unavailable(failure) }
            return Self.json("{\"status\":\"ready\"}")
        }
    }

    static func json(_ text: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
