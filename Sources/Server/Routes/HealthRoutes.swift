import Hummingbird
import NIOCore

/// Liveness and readiness, for container orchestrators and load balancers.
struct HealthRoutes {
    let store: any GameStore

    func add(to router: some RouterMethods<AppRequestContext>) {
        router.get("healthz") { _, _ in Self.json("{\"status\":\"ok\"}") }
        router.get("readyz") { _, _ in
            do {
                try await store.checkHealth()
                return Self.json("{\"status\":\"ready\"}")
            } catch let error as StoreError {
                throw APIError.unavailable(error.description)
            }
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
