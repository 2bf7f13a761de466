// Specification of the reactor's token registry: every source the loop watches has its own
// token and reads back as itself, and a wait reports sources, not tokens.

import ExoPlatform
import Testing

@testable import ExoDaemon

@Suite("Reactor")
struct ReactorTests {
    static let sources: [WakeSource] = [
        .listener, .signals, .watchdog, .nic, .link, .reassembly, .impairment,
        .session(Reactor.firstConnectionID), .session(1 << 40), .dataPath(Reactor.firstConnectionID), .dataPath(1 << 40),
        .rates, .metricsListener, .metricsConnection(1), .metricsConnection(Reactor.firstConnectionID), .metricsConnection(1 << 40),
    ]

    @Test func everySourceReadsBackAsItselfFromItsOwnToken() {
        let tokens = Self.sources.map(Reactor.token)
        #expect(Set(tokens).count == Self.sources.count)
        for source in Self.sources { #expect(Reactor.source(Reactor.token(source)) == source) }
    }

    @Test func aTokenNoSourceHasIsNotReported() {
        #expect(Reactor.source(0) == nil)
        #expect(Reactor.source(999) == nil)
    }

    @Test func aWaitReportsTheReadySourceAndItsEvents() throws {
        let reactor = try Reactor()
        let (daemonSide, peerSide) = try UnixSeqpacket.pair()
        defer { daemonSide.close(); peerSide.close() }
        try reactor.watch(daemonSide.raw, as: .session(Reactor.firstConnectionID + 5), for: .readable)
        #expect(try UnixSeqpacket.send(peerSide.raw, [1, 2, 3]))
        var reported: [WakeSource] = []
        try reactor.wait(timeoutMilliseconds: 1_000) { source, events in
            if events.contains(.readable) { reported.append(source) }
        }
        #expect(reported == [.session(Reactor.firstConnectionID + 5)])
    }
}
