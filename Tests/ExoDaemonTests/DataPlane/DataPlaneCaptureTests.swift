// Captures on the in-process data plane: an operator's capture of a tenant sees the packets
// the daemon posted on its rx ring and the packets it sent, each record marked with its
// direction, on the operator's socket.

import ExoCore
import ExoPlatform
import ExoWire
import Glibc
import Testing

@testable import ExoDaemon

@Suite("Captures on the in-process data plane")
struct DataPlaneCaptureTests {
    @Test("a capture of a tenant sees a received and a sent packet, in order, each with its direction")
    func captureSeesBothDirections() throws {
        let harness = try DataPlaneHarness()
        let alice = try harness.attach(DataPlaneHarness.alice)
        try harness.bindUDP(alice, port: 7000)
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        let operatorEnd = OwnedDescriptor(adopting: pair[1])
        let session = ControlSession(
            connectionID: 99, socket: OwnedDescriptor(adopting: pair[0]),
            credentials: PeerCredentials(pid: 1, uid: 0, gid: 0), handshakeDeadline: 0, outboundLimit: 8)
        let capture = harness.plane.captures.start(
            tenant: DataPlaneHarness.alice, session: session, limit: 0, snapLength: 1500)
        let incoming = harness.packetFromWire(to: DataPlaneHarness.alice, port: 7000, payload: Array("in".utf8))
        let outgoing = TestPackets.udp(
            from: harness.mac(of: DataPlaneHarness.alice), DataPlaneHarness.aliceAddress, 7000,
            to: DataPlaneHarness.peerMAC, DataPlaneHarness.hostAddress, 4000, payload: Array("out".utf8))

        harness.receive([incoming])
        try alice.send([outgoing])
        harness.plane.transmit(harness.plane.paths[alice.session]!)

        let records = Self.readRecords(operatorEnd.raw)
        #expect(records.map(\.direction) == [.received, .sent])
        #expect(records.map(\.packet) == [incoming, outgoing])
        #expect(capture.captured == 2 && capture.lost == 0)
    }

    /// Every record waiting on the operator's end: its direction and captured bytes.
    static func readRecords(_ fd: Int32) -> [(direction: CaptureDirection?, packet: [UInt8])] {
        var records: [(direction: CaptureDirection?, packet: [UInt8])] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            guard count > 0 else { return records }
            // The direction byte sits before the timestamp (8), original length (4) and blob length (2).
            let direction = CaptureDirection(rawValue: buffer[CapturedPacketRecord.overhead - 15])
            records.append((direction, Array(buffer[CapturedPacketRecord.overhead..<count])))
        }
    }
}
