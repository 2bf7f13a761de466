// A restarted program keeps its TCP sequence secret (StackConfiguration.sequenceSecret):
// its SYN to a four-tuple an earlier run used then carries a higher ISN and timestamp, which
// a peer holding that four-tuple in TIME_WAIT takes as a new incarnation.

import ExoPacket
import Testing

@testable import ExOS

@Suite struct TCPSequenceSecretTests {
    /// The SYN a new stack (a new process: its own hash-table `secret`) sends to the crafted
    /// peer from port 80 at `time`.
    static func syn(secret: UInt64, sequenceSecret: UInt64?, at time: Instant) -> SentSegment? {
        var configuration = Hosts.owned(1)
        configuration.secret = secret
        configuration.sequenceSecret = sequenceSecret
        var peer = CraftedPeer(configuration: configuration, now: time)
        _ = try? peer.stack.connectTCP(
            to: IPv4Endpoint(address: CraftedPeer.address, port: CraftedPeer.port),
            port: CraftedPeer.stackEndpoint.port,
            now: time)
        return peer.received().first { $0.flags == .syn }
    }

    @Test func aKeptSequenceSecretMakesTheNextRunsSYNNewerThanTheLastRuns() throws {
        let earlier = Instant(nanoseconds: 7_000_000_000)
        let later = earlier + .milliseconds(500)
        let first = try #require(Self.syn(secret: 0x1111, sequenceSecret: 0xC0FFEE, at: earlier))
        let second = try #require(Self.syn(secret: 0x2222, sequenceSecret: 0xC0FFEE, at: later))
        // The ISN moved on with its 4 µs clock alone: 125,000 ticks in half a second.
        #expect(second.sequence - first.sequence == 125_000)
        // TSval moved on with the millisecond clock alone (same offset for the four-tuple).
        let firstTS = try #require(first.header.options.timestamps?.value)
        let secondTS = try #require(second.header.options.timestamps?.value)
        #expect(secondTS &- firstTS == 500)
    }

    @Test func withoutOneEachRunDrawsUnrelatedNumbers() throws {
        let earlier = Instant(nanoseconds: 7_000_000_000)
        let later = earlier + .milliseconds(500)
        let first = try #require(Self.syn(secret: 0x1111, sequenceSecret: nil, at: earlier))
        let second = try #require(Self.syn(secret: 0x2222, sequenceSecret: nil, at: later))
        #expect(second.sequence - first.sequence != 125_000)
        let firstTS = try #require(first.header.options.timestamps?.value)
        let secondTS = try #require(second.header.options.timestamps?.value)
        #expect(secondTS &- firstTS != 500)
    }

    @Test func differentSequenceSecretsGiveUnrelatedNumbers() throws {
        let time = Instant(nanoseconds: 7_000_000_000)
        let first = try #require(Self.syn(secret: 0x1111, sequenceSecret: 0xC0FFEE, at: time))
        let second = try #require(Self.syn(secret: 0x1111, sequenceSecret: 0xBEEF, at: time))
        #expect(abs(second.sequence - first.sequence) > 1_000)
    }
}
