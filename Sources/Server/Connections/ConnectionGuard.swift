import HTTPTypes
import JSONText
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Guards each HTTP/1 connection, between Hummingbird's HTTP decoding and its request handling:
///
/// - counts it against the process's ``ConnectionCounter``; a connection beyond the cap gets its
///   first request answered with 503 `too_many_connections` (with `Retry-After`) and is closed;
/// - closes it if its first request's head has not fully arrived within `headerTimeout` (a client
///   trickling header bytes); later requests on a kept-alive connection are bounded by
///   Hummingbird's idle timeout, which only parsed request parts reset;
/// - answers a request head the decoder refused with the contract's JSON error and closes: 431
///   when it is larger than the decoder's limits, 400 when it is not HTTP.
///
/// One instance per connection; every method runs on the connection's event loop.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOHTTPTypes.HTTPRequestPart
    typealias InboundOut = NIOHTTPTypes.HTTPRequestPart
    typealias OutboundIn = NIOHTTPTypes.HTTPResponsePart
    typealias OutboundOut = NIOHTTPTypes.HTTPResponsePart

    private let counter: ConnectionCounter
    private let headerTimeout: TimeAmount
    private var counted = false
    private var refusing = false
    private var headerDeadline: Scheduled<Void>?
    private var sawFirstHead = false
    /// Requests whose head was read and whose response has not ended.
    private var inFlight = 0

    init(counter: ConnectionCounter, headerTimeout: TimeAmount) {
        self.counter = counter
        self.headerTimeout = headerTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if counter.admit() {
            counted = true
        } else {
            refusing = true
        }
        if context.channel.isActive { startHeaderDeadline(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        startHeaderDeadline(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .head = part {
            if !sawFirstHead {
                sawFirstHead = true
                headerDeadline?.cancel()
                headerDeadline = nil
            }
            if refusing {
                GameMetrics.refused("too_many_connections")
                respond(context, .serviceUnavailable, "too_many_connections", "this server holds as many connections as it can; try again shortly", retryAfter: 5)
                return
            }
            inFlight += 1
        }
        guard !refusing else { return }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { inFlight = max(0, inFlight - 1) }
        context.write(data, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        guard inFlight == 0 else {
            // A response is being written; another one cannot be started on this connection.
            context.close(promise: nil)
            return
        }
        switch parserError {
        case .headerOverflow:
            respond(context, .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), "headers_too_large",
                    "the request's headers are too large", retryAfter: nil)
        default:
            respond(context, .badRequest, "malformed_request", "the request is not valid HTTP/1.1", retryAfter: nil)
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int?) {
        refusing = true
        let body = ByteBuffer(string: "{\"error\":{\"code\":\(jsonQuoted(code)),\"message\":\(jsonQuoted(message))}}")
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        if let retryAfter { head.headerFields[.retryAfter] = String(retryAfter) }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func startHeaderDeadline(_ context: ChannelHandlerContext) {
        guard headerDeadline == nil, !sawFirstHead else { return }
        headerDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headerTimeout) {
            context.close(promise: nil)
        }
    }

    private func stop() {
        headerDeadline?.cancel()
        headerDeadline = nil
        if counted {
            counted = false
            counter.release()
        }
    }
}
