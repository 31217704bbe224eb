import HTTPTypes
import JSONText
import NIOCore
import NIOHTTPTypes

extension ChannelHandlerContext {
    /// Writes one whole response with a JSON body and `Connection: close`, then closes the
    /// connection once it is written. For handlers in front of the router, whose answers bypass it.
    /// With `bodyless` (an answer to `HEAD`), the headers describe the body but it is not sent.
    func answerAndClose(_ status: HTTPResponse.Status, json body: String, retryAfter: Int? = nil, bodyless: Bool = false) {
        let body = ByteBuffer(string: body)
        var head = HTTPResponse(status: status)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.connection] = "close"
        head.headerFields[.cacheControl] = "no-store"
        if let retryAfter { head.headerFields[.retryAfter] = String(retryAfter) }
        write(NIOAny(HTTPResponsePart.head(head)), promise: nil)
        if !bodyless { write(NIOAny(HTTPResponsePart.body(body)), promise: nil) }
        let written = eventLoop.makePromise(of: Void.self)
        writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in self.close(promise: nil) }
    }

    /// ``answerAndClose(_:json:retryAfter:)`` with the contract's error body.
    func answerAndClose(_ status: HTTPResponse.Status, error code: String, _ message: String, retryAfter: Int? = nil) {
        answerAndClose(status, json: "{\"error\":{\"code\":\(jsonQuoted(code)),\"message\":\(jsonQuoted(message))}}", retryAfter: retryAfter)
    }
}
