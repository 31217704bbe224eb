public import Hummingbird
import Locking

/// The methods each route answers, recorded as routes are added, so that a request with a method
/// a path does not answer gets 405 with `Allow` instead of 404.
public final class RouteMethods: Sendable {
    private let routes = Mutex<[(path: RouterPath, methods: Set<HTTPRequest.Method>)]>([])

    public init() {}

    func record(_ path: RouterPath, _ method: HTTPRequest.Method) {
        routes.withLock { routes in
            if let i = routes.firstIndex(where: { $0.path.description == path.description }) {
                routes[i].methods.insert(method)
            } else {
                routes.append((path, [method]))
            }
        }
    }

    /// The methods answered at `path`, HEAD wherever GET is (the router generates it), sorted;
    /// empty when no route matches the path.
    public func allowed(at path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods = Set<HTTPRequest.Method>()
        for route in routes.withLock({ $0 }) where Self.matches(route.path, segments) {
            methods.formUnion(route.methods)
        }
        if methods.contains(.get) { methods.insert(.head) }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    private static func matches(_ route: RouterPath, _ segments: [Substring]) -> Bool {
        let elements = Array(route)
        if let last = elements.last, last.description == "**" {
            return segments.count >= elements.count - 1
                && zip(elements.dropLast(), segments).allSatisfy { $0 ~= $1 }
        }
        return elements.count == segments.count && zip(elements, segments).allSatisfy { $0 ~= $1 }
    }
}

/// Adds routes to a router and records their methods in a ``RouteMethods``. Groups made from it
/// record too, since a group adds its routes through its parent.
public struct RecordingRouter<Context: RequestContext>: RouterMethods {
    let router: Router<Context>
    let methods: RouteMethods

    public init(_ router: Router<Context>, recordingInto methods: RouteMethods) {
        self.router = router
        self.methods = methods
    }

    @discardableResult
    public func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        methods.record(path, method)
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    public func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }
}
