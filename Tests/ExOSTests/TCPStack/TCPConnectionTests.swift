// TCP between two ExOS stacks on the simulated link: the handshake and what it negotiates,
// transfers both ways, the close handshake through to TIME_WAIT and CLOSED, resets for
// closed ports, and byte-exact transfers under loss, duplication, reordering and corruption.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPConnectionTests {
    @Test func theHandshakeNegotiatesEveryOption() {
        var pair = TCPPair()
        let established = pair.establish()
        #expect(established)
        let client = pair.simulation.stacks[1].tcp.info(pair.client)!
        let server = pair.simulation.stacks[0].tcp.info(pair.server!)!
        #expect(client.state == .established && server.state == .established)
        #expect(client.windowScaling && client.timestamps && client.sack)
        #expect(server.windowScaling && server.timestamps && server.sack)
        // MSS: 1500 − 40, less the 12 bytes timestamps take from every segment.
        #expect(client.maximumSegmentSize == 1448 && server.maximumSegmentSize == 1448)
        #expect(client.remote == TCPPair.serverEndpoint)
        #expect(server.local == TCPPair.serverEndpoint)
    }

    @Test func bytesFlowBothWaysIntact() {
        var pair = TCPPair()
        let established = pair.establish()
        #expect(established)
        let up = patternBytes(300_000, seed: 7)
        let gotUp = pair.transfer(up, fromClient: true)
        #expect(gotUp == up)
        let down = patternBytes(500_000, seed: 8)
        let gotDown = pair.transfer(down, fromClient: false)
        #expect(gotDown == down)
        #expect(pair.simulation.stacks[0].counters.tcp.retransmittedSegments == 0)
    }

    @Test func closingGoesThroughTimeWaitToClosed() {
        var pair = TCPPair()
        let established = pair.establish()
        #expect(established)
        let server = pair.server!
        let client = pair.client
        let now = pair.simulation.now
        try! pair.simulation.stacks[1].shutdownWrite(client, now: now)
        pair.simulation.run(for: .seconds(5)) { $0.stacks[0].tcp.state(server) == .closeWait }
        #expect(pair.simulation.stacks[0].tcp.state(server) == .closeWait)
        let serverEnd = try! pair.simulation.stacks[0].readAvailable(server, now: pair.simulation.now).end
        #expect(serverEnd)
        #expect(pair.simulation.stacks[1].tcp.state(client) == .finWait2)
        pair.simulation.stacks[0].close(server, now: pair.simulation.now)
        pair.simulation.run(for: .seconds(5)) { $0.stacks[1].tcp.state(client) == .timeWait }
        #expect(pair.simulation.stacks[1].tcp.state(client) == .timeWait)
        // The server's side is gone once its FIN was acknowledged.
        #expect(pair.simulation.stacks[0].tcp.state(server) == nil)
        pair.simulation.advance(by: .seconds(61))
        #expect(pair.simulation.stacks[1].tcp.state(client) == .closed)
        let clientEnd = try! pair.simulation.stacks[1].readAvailable(client, now: pair.simulation.now).end
        #expect(clientEnd)
    }

    @Test func aSYNToAClosedPortIsRefusedWithAReset() {
        var simulation = Simulation([Hosts.owned(1), Hosts.owned(2)], seed: 3)
        let client = try! simulation.stacks[1].connectTCP(
            to: IPv4Endpoint(address: Hosts.address(1), port: 81), now: simulation.now)
        simulation.run(for: .seconds(5)) { $0.stacks[1].tcp.state(client) == .closed }
        #expect(simulation.stacks[1].tcp.error(client) == .refused)
        #expect(simulation.stacks[0].counters[.tcpNoConnection] == 1)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func transfersAreByteExactUnderLossDuplicationReorderingAndCorruption(seed: UInt64) {
        var profile = ImpairmentProfile()
        profile.loss = 0.02
        profile.duplicate = 0.01
        profile.reorder = 0.02
        profile.corrupt = 0.005
        profile.delay = 2_000_000
        var pair = TCPPair(profile: profile, seed: seed)
        let established = pair.establish()
        #expect(established)
        let data = patternBytes(400_000, seed: seed)
        let got = pair.transfer(data, fromClient: true)
        #expect(got == data)
        let back = patternBytes(200_000, seed: seed + 100)
        let gotBack = pair.transfer(back, fromClient: false)
        #expect(gotBack == back)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func anEchoUnderLossBothWaysAtOnceIsByteExactAndNoSegmentOutgrowsTheMTU(seed: UInt64) {
        var profile = ImpairmentProfile()
        profile.loss = 0.02
        profile.duplicate = 0.01
        profile.reorder = 0.01
        profile.delay = 100_000
        var pair = TCPPair(profile: profile, seed: seed)
        let established = pair.establish()
        #expect(established)
        let server = pair.server!
        let client = pair.client
        let data = patternBytes(1_000_000, seed: seed)
        var sent = 0
        var echoed: [UInt8] = []
        var pending: [UInt8] = []
        pair.simulation.run(for: .seconds(120)) { simulation in
            let now = simulation.now
            while sent < data.count, let count = try? simulation.stacks[1].write(client, data[sent...], now: now), count > 0 {
                sent += count
            }
            if pending.isEmpty, let read = try? simulation.stacks[0].readAvailable(server, now: now) { pending = read.bytes }
            while !pending.isEmpty, let count = try? simulation.stacks[0].write(server, pending[...], now: now), count > 0 {
                pending.removeFirst(count)
            }
            if let read = try? simulation.stacks[1].readAvailable(client, now: now) { echoed += read.bytes }
            return echoed.count >= data.count
        }
        #expect(echoed == data)
        // SACK blocks beside timestamps take room from the payload (RFC 6691): no frame built
        // over the MTU (such a frame is dropped, and its retransmission would be too).
        for stack in pair.simulation.stacks { #expect(stack.counters[.transmitBufferTooSmall] == 0) }
    }
}
