import Config
import NIOCore
import NIOEmbedded
import Testing

@testable import Server

/// The process's connection caps: per client address, per process, and which connection makes
/// room when the process is full.
@Suite struct ConnectionTableTests {
    func ticket(_ admission: ConnectionTable.Admission) throws -> Int {
        guard case .admitted(let ticket) = admission else {
            Issue.record("expected admitted, got \(admission)")
            throw CancellationError()
        }
        return ticket
    }

    @Test func refusesAClientBeyondItsShareButNotOthers() throws {
        let table = ConnectionTable(limit: 100, perClient: 2)
        _ = try ticket(table.admit(EmbeddedChannel(), peer: "127.0.0.2"))
        let second = try ticket(table.admit(EmbeddedChannel(), peer: "127.0.0.2"))
        #expect(table.admit(EmbeddedChannel(), peer: "127.0.0.2") == .clientFull)
        _ = try ticket(table.admit(EmbeddedChannel(), peer: "127.0.0.3"))
        #expect(table.count(of: "127.0.0.2") == 2)
        #expect(table.count == 3)
        table.release(second)
        _ = try ticket(table.admit(EmbeddedChannel(), peer: "127.0.0.2"))
        #expect(table.count(of: "127.0.0.2") == 2)
    }

    @Test func trustedProxiesAreNotCountedPerClient() throws {
        let table = ConnectionTable(limit: 100, perClient: 2, trustedProxies: [try #require(CIDR("10.0.0.0/16"))])
        for _ in 1...5 { _ = try ticket(table.admit(EmbeddedChannel(), peer: "10.0.3.4")) }
        #expect(table.count == 5)
        #expect(table.count(of: "10.0.3.4") == 0)
    }

    @Test func closesTheConnectionIdleLongestAtTheProcessCap() throws {
        let table = ConnectionTable(limit: 3, perClient: 10, firstRequestGrace: .zero)
        let channels = (0..<4).map { _ in EmbeddedChannel() }
        for channel in channels { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.9", port: 1)).wait() }
        let first = try ticket(table.admit(channels[0], peer: "127.0.0.2"))
        let second = try ticket(table.admit(channels[1], peer: "127.0.0.3"))
        _ = try ticket(table.admit(channels[2], peer: "127.0.0.4"))
        table.busy(first)
        table.received(first)
        table.busy(second)
        table.idle(second)
        // The third has been idle since it was accepted, before the second's request ended.
        _ = try ticket(table.admit(channels[3], peer: "127.0.0.5"))
        #expect(channels.map(\.isActive) == [true, true, false, true])
        #expect(table.count == 3)
        #expect(table.count(of: "127.0.0.4") == 0)
        #expect(table.evicted == 1)
    }

    @Test func aNewConnectionHasTimeForItsFirstRequestBeforeItCanBeClosed() throws {
        let table = ConnectionTable(limit: 2, perClient: 10, firstRequestGrace: .seconds(60))
        let channels = (0..<3).map { _ in EmbeddedChannel() }
        for channel in channels { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.9", port: 1)).wait() }
        _ = try ticket(table.admit(channels[0], peer: "127.0.0.2"))
        let second = try ticket(table.admit(channels[1], peer: "127.0.0.3"))
        // Both are fresh: neither gives way.
        #expect(table.admit(EmbeddedChannel(), peer: "127.0.0.4") == .processFull)
        // Once the second has been served and is idle, it gives way though the first is older.
        table.busy(second)
        table.idle(second)
        _ = try ticket(table.admit(channels[2], peer: "127.0.0.5"))
        #expect(channels.map(\.isActive) == [true, false, true])
    }

    @Test func refusesWhenEveryConnectionIsBusy() throws {
        // Busy: each request has fully arrived and is being answered.
        let table = ConnectionTable(limit: 2, perClient: 10, firstRequestGrace: .zero)
        for peer in ["127.0.0.2", "127.0.0.3"] {
            let busy = try ticket(table.admit(EmbeddedChannel(), peer: peer))
            table.busy(busy)
            table.received(busy)
        }
        #expect(table.admit(EmbeddedChannel(), peer: "127.0.0.4") == .processFull)
        #expect(table.evicted == 0)
    }

    @Test func aConnectionStalledInItsBodyGivesWayWhenNoneIsIdle() throws {
        let channels = (0..<4).map { _ in EmbeddedChannel() }
        for channel in channels { try channel.connect(to: SocketAddress(ipAddress: "127.0.0.9", port: 1)).wait() }
        let table = ConnectionTable(limit: 3, perClient: 10, firstRequestGrace: .zero)
        let answering = try ticket(table.admit(channels[0], peer: "127.0.0.2"))
        table.busy(answering)
        table.received(answering)
        let olderBody = try ticket(table.admit(channels[1], peer: "127.0.0.3"))
        table.busy(olderBody)
        let newerBody = try ticket(table.admit(channels[2], peer: "127.0.0.4"))
        table.busy(newerBody)
        _ = try ticket(table.admit(channels[3], peer: "127.0.0.5"))
        #expect(channels.map(\.isActive) == [true, false, true, true])
        #expect(table.evicted == 1)

        // Within the grace, a body still arriving is left alone.
        let patient = ConnectionTable(limit: 1, perClient: 10, firstRequestGrace: .seconds(60))
        patient.busy(try ticket(patient.admit(EmbeddedChannel(), peer: "127.0.0.2")))
        #expect(patient.admit(EmbeddedChannel(), peer: "127.0.0.3") == .processFull)
    }

    @Test func releasingAConnectionClosedToMakeRoomChangesNothing() throws {
        let table = ConnectionTable(limit: 1, perClient: 10, firstRequestGrace: .zero)
        let evicted = try ticket(table.admit(EmbeddedChannel(), peer: "127.0.0.2"))
        _ = try ticket(table.admit(EmbeddedChannel(), peer: "127.0.0.2"))
        table.release(evicted)
        #expect(table.count == 1)
        #expect(table.count(of: "127.0.0.2") == 1)
    }
}
