// The daemon's reassembly timer: armed for the earliest deadline when a datagram starts, it
// fires through its descriptor and the partial datagram is dropped and counted.
@testable import ExoDaemon
import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc
import Testing

@Suite struct DaemonReassemblyTests {
    /// A first fragment (more fragments, offset 0, 8 bytes) of datagram `id`.
    static func firstFragment(id: UInt16) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: 14 + 20 + 8)
        MutablePacketBytes.with(&frame) { bytes in
            bytes.setU16(12, EtherType.ipv4.rawValue)
            let ip = try! IPv4Repr(source: IPv4Address(10, 0, 0, 1), destination: IPv4Address(10, 0, 0, 2), protocol: .udp,
                payloadLength: 8, identification: id, dontFragment: false).emit(into: bytes.dropFirst(14))
            ip.setFragment(dontFragment: false, moreFragments: true, offset: 0)
            ip.fillChecksum()
        }
        return frame
    }

    static func add(_ frame: [UInt8], to state: DaemonReassembly, now: UInt64) -> ReassemblyResult {
        var output = [UInt8](repeating: 0, count: 4096)
        return frame.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { out in
                state.reassembler.add(PacketBytes(unsafeBuffer: raw), now: now, into: MutablePacketBytes(unsafeBuffer: out))
            }
        }
    }

    static func readable(_ fd: Int32, withinMilliseconds timeout: Int32) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, timeout) == 1
    }

    @Test func thePartialDatagramExpiresWhenTheTimerFires() throws {
        let state = try DaemonReassembly(frameSize: 4096, perTenant: 16, tenants: 2, timeoutNanoseconds: 500_000_000)
        let start = MonotonicClock.nanoseconds()
        #expect(Self.add(Self.firstFragment(id: 1), to: state, now: start) == .incomplete)
        state.armTimer(now: start)
        #expect(state.armedDeadline == start + 500_000_000)
        // A later datagram does not push the timer back.
        #expect(Self.add(Self.firstFragment(id: 2), to: state, now: start + 100_000_000) == .incomplete)
        state.armTimer(now: start + 100_000_000)
        #expect(state.armedDeadline == start + 500_000_000)
        #expect(!Self.readable(state.timer.fd, withinMilliseconds: 0))
        #expect(Self.readable(state.timer.fd, withinMilliseconds: 2_000))
        // The first datagram's deadline has passed (the timer fired); the second's has not yet.
        #expect(state.timerFired(now: start + 500_000_000) == 1)
        #expect(state.reassembler.count(.timedOut) == 1 && state.reassembler.datagramCount == 1)
        #expect(state.armedDeadline == start + 600_000_000)
        #expect(Self.readable(state.timer.fd, withinMilliseconds: 2_000))
        #expect(state.timerFired(now: start + 600_000_000) == 1)
        #expect(state.reassembler.datagramCount == 0 && state.armedDeadline == nil)
    }
}
