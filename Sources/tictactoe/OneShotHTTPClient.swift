import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 request on a connection of its own, answered in full or not at all: the smallest
/// client the smoke game needs. It follows no redirect (a 3xx is an answer like any other), sends
/// `Host` and SNI for the URL's host even when `--resolve` points the connection elsewhere, and
/// gives up after the request's timeout.
struct OneShotHTTPClient: Sendable {
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    /// Why no answer came: a sentence for the person running the smoke game.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let url: SmokeURL
    /// Connect to this address instead of resolving the URL's host (curl's `--resolve`).
    let address: String?
    /// Made once: it reads the trust roots, which every request of the smoke game shares.
    let sslContext: NIOSSLContext?
    let timeout: TimeAmount

    init(url: SmokeURL, address: String?, caFile: String?, timeout: TimeAmount = .seconds(10)) throws(Failure) {
        self.url = url
        self.address = address
        self.timeout = timeout
        guard url.isHTTPS else {
            sslContext = nil
            return
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile { tls.trustRoots = .file(caFile) }
        do {
            sslContext = try NIOSSLContext(configuration: tls)
        } catch {
            throw Failure(description: Self.describe(error))
        }
    }

    func send(_ method: HTTPMethod, _ path: String, json body: String? = nil) async throws(Failure) -> Answer {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Answer.self)
        do {
            let sslContext = self.sslContext
            let host = url.host
            let bootstrap = ClientBootstrap(group: group)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let sslContext {
                            let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: host.first?.isNumber == true ? nil : host)
                            try channel.pipeline.syncOperations.addHandler(handler)
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandler(AnswerCollector(promise: promise))
                    }
                }
            let channel = try await bootstrap.connect(host: address ?? host, port: url.port).get()
            var headers = HTTPHeaders([("Host", url.hostHeader), ("Connection", "close"), ("Accept", "application/json")])
            var buffer: ByteBuffer?
            if let body {
                headers.add(name: "Content-Type", value: "application/json")
                headers.add(name: "Content-Length", value: String(body.utf8.count))
                buffer = channel.allocator.buffer(string: body)
            }
            let head = HTTPRequestHead(version: .http1_1, method: method, uri: url.basePath + path, headers: headers)
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if let buffer { channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            let deadline = channel.eventLoop.scheduleTask(in: timeout) {
                promise.fail(Failure(description: "no answer within \(timeout.nanoseconds / 1_000_000_000) s"))
                channel.close(promise: nil)
            }
            defer { deadline.cancel() }
            let answer = try await promise.futureResult.get()
            try? await channel.close()
            return answer
        } catch let failure as Failure {
            throw failure
        } catch {
            promise.fail(error)
            throw Failure(description: Self.describe(error))
        }
    }

    /// What went wrong, in words rather than NIO's type names.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as NIOSSLError: "TLS failed: \(error)"
        case let error as BoringSSLError: "TLS failed: \(error)"
        case is ChannelError: "the connection closed before a whole answer came"
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first, let io = first.error as? IOError {
                "cannot connect to \(error.host):\(error.port): \(Self.reason(errno: io.errnoCode))"
            } else if error.dnsAAAAError != nil || error.dnsAError != nil {
                "cannot resolve \(error.host)"
            } else {
                "cannot connect to \(error.host):\(error.port)"
            }
        case let error as IOError: "cannot connect: \(Self.reason(errno: error.errnoCode))"
        default: "\(error)"
        }
    }
}

extension OneShotHTTPClient {
    /// The C library's words for a connect error.
    static func reason(errno code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text).lowercased()
    }
}

/// Gathers one response: head, body and end; fails the promise when the connection ends early.
private final class AnswerCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<OneShotHTTPClient.Answer>
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    init(promise: EventLoopPromise<OneShotHTTPClient.Answer>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body(var part): body.writeBuffer(&part)
        case .end:
            guard let head else { return }
            promise.succeed(.init(status: Int(head.status.code), headers: head.headers, body: String(buffer: body)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
    }
}
