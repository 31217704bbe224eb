import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request head that the HTTP decoder refused with the contract's JSON error, then
/// closes: 431 `headers_too_large` when the head is larger than the decoder's limits, 400
/// `malformed_request` when it is not HTTP/1.1. When a response is already being written on the
/// connection, no second one can start, and the connection is only closed.
///
/// Every method runs on the connection's event loop.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// Requests whose head was read and whose response has not ended.
    private var inFlight = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { inFlight += 1 }
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
            context.close(promise: nil)
            return
        }
        switch parserError {
        case .headerOverflow:
            context.answerAndClose(
                .init(code: 431, reasonPhrase: "Request Header Fields Too Large"),
                error: "headers_too_large",
                "the request's headers are too large"
            )
        default:
            context.answerAndClose(.badRequest, error: "malformed_request", "the request is not valid HTTP/1.1")
        }
    }
}
