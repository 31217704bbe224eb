import NIOCore
import NIOHTTPTypes

/// Bounds how long a request may take to arrive, so that a client trickling bytes cannot hold a
/// connection:
/// - the first request head must have fully arrived within `headerTimeout` of the connection
///   becoming active (a client trickling header bytes, or sending nothing): the connection is
///   closed;
/// - every request's body must have fully arrived within `bodyTimeout` of the read that left it
///   incomplete (so, about its head): the request is answered 408 `request_timeout` and the
///   connection closed (only closed when its response has already begun).
///
/// Later request heads on a kept-alive connection are bounded by Hummingbird's idle timeout, which
/// only parsed request parts reset. Every method runs on the connection's event loop.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let headerTimeout: TimeAmount
    private let bodyTimeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var sawFirstHead = false
    /// A response head was written and its end was not.
    private var responding = false
    /// A request head was read and its end was not.
    private var receiving = false

    init(headerTimeout: TimeAmount, bodyTimeout: TimeAmount) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { startHeaderDeadline(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        startHeaderDeadline(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            sawFirstHead = true
            cancel()
            receiving = true
        case .end:
            receiving = false
            cancel()
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    /// The body deadline starts only when a read ends with a request still arriving, so that the
    /// usual request (head and body in one read) schedules no timer at all.
    func channelReadComplete(context: ChannelHandlerContext) {
        if receiving && deadline == nil { startBodyDeadline(context) }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200: responding = true
        case .end: responding = false
        default: break
        }
        context.write(data, promise: promise)
    }

    private func startBodyDeadline(_ context: ChannelHandlerContext) {
        let seconds = bodyTimeout.nanoseconds / 1_000_000_000
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: bodyTimeout) {
            self.deadline = nil
            if self.responding {
                context.close(promise: nil)
            } else {
                GameMetrics.refused("request_timeout")
                context.answerAndClose(.requestTimeout, error: "request_timeout", "the request did not fully arrive within \(seconds) s of its head")
            }
        }
    }

    private func startHeaderDeadline(_ context: ChannelHandlerContext) {
        guard deadline == nil, !sawFirstHead else { return }
        deadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: headerTimeout) {
            context.close(promise: nil)
        }
    }

    private func cancel() {
        deadline?.cancel()
        deadline = nil
    }
}
