import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Counts its connection in the process's ``ConnectionTable`` and, when the table refuses it,
/// answers the connection's first request with a JSON refusal (`Retry-After` included) and closes:
/// 503 `too_many_connections` when the process is full of busy connections, 429
/// `too_many_client_connections` when the client address holds its share.
///
/// Health checks always get through: a refused connection's `GET`/`HEAD /healthz` is answered 200
/// here, without reaching the router, so neither the container's own check nor a load balancer's
/// target check ever fails for capacity. A refused connection that sends no request head within
/// `refusedHeadTimeout` is closed without an answer.
///
/// Tells the table when the connection is busy (a request in progress), when its request has
/// fully arrived, and when it is idle, so that the table closes idle connections first and
/// connections stalled in a body next. Every method runs on the connection's event loop.
final class ConnectionAdmissionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let table: ConnectionTable
    private let refusedHeadTimeout: TimeAmount
    private var admission: ConnectionTable.Admission?
    private var refusedDeadline: Scheduled<Void>?
    private var answered = false
    /// Requests whose head was read and whose response has not ended.
    private var inFlight = 0

    init(table: ConnectionTable, refusedHeadTimeout: TimeAmount = .seconds(1)) {
        self.table = table
        self.refusedHeadTimeout = refusedHeadTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let admission = table.admit(context.channel, peer: context.channel.remoteAddress?.ipAddress)
        self.admission = admission
        if case .admitted = admission { return }
        refusedDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: refusedHeadTimeout) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch admission {
        case .admitted(let ticket):
            switch part {
            case .head:
                table.busy(ticket)
                inFlight += 1
            case .end:
                table.received(ticket)
            case .body:
                break
            }
            context.fireChannelRead(data)
        case .processFull, .clientFull:
            guard case .head(let head) = part, !answered else { return }
            answered = true
            refusedDeadline?.cancel()
            refuse(context, head)
        case nil:
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .admitted(let ticket) = admission, case .end = unwrapOutboundIn(data), inFlight > 0 {
            inFlight -= 1
            if inFlight == 0 { table.idle(ticket) }
        }
        context.write(data, promise: promise)
    }

    private func refuse(_ context: ChannelHandlerContext, _ head: HTTPRequest) {
        let path = head.path.map { $0.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0] }
        if path == "/healthz" && (head.method == .get || head.method == .head) {
            context.answerAndClose(.ok, json: "{\"status\":\"ok\"}", bodyless: head.method == .head)
        } else if admission == .clientFull {
            GameMetrics.refused("too_many_client_connections")
            context.answerAndClose(
                .tooManyRequests,
                error: "too_many_client_connections",
                "this address holds \(table.perClient) connections, the most one client may; close some, or try again shortly",
                retryAfter: 5
            )
        } else {
            GameMetrics.refused("too_many_connections")
            context.answerAndClose(
                .serviceUnavailable,
                error: "too_many_connections",
                "this server holds as many connections as it can; try again shortly",
                retryAfter: 5
            )
        }
    }

    private func release() {
        refusedDeadline?.cancel()
        refusedDeadline = nil
        if case .admitted(let ticket) = admission {
            table.release(ticket)
            admission = nil
        }
    }
}
