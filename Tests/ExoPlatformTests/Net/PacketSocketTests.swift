// Specification of PacketSocket against the real kernel over a veth pair whose peer sits in a
// namespace of the test's own: receive, transmit, ignored outgoing frames, GSO with its header,
// frames larger than a ring slot, ring geometry.
import ExoPlatform
import Foundation
import Glibc
import Testing

/// Python run in the peer namespace: sends one Ethernet frame (hex argv[2]) on argv[1].
private let sendFrameScript = """
    import socket, sys
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((sys.argv[1], 0))
    s.send(bytes.fromhex(sys.argv[2]))
    """

/// Python run in the peer namespace: prints "ready", then the hex of the first frame on
/// argv[1] containing the bytes argv[2] (hex), or "timeout" after 5 s.
private let captureScript = """
    import socket, sys, time
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((sys.argv[1], 0))
    s.settimeout(0.2)
    marker = bytes.fromhex(sys.argv[2])
    print("ready", flush=True)
    end = time.time() + 5
    while time.time() < end:
        try:
            frame = s.recv(70000)
        except socket.timeout:
            continue
        if marker in frame:
            print("frame " + frame.hex(), flush=True)
            sys.exit(0)
    print("timeout", flush=True)
    """

/// Reads frames for up to `milliseconds`, until `stop` accepts one; returns a copy of each
/// frame's bytes, wire length, status and virtio-net header.
private struct Seen {
    var bytes: [UInt8]
    var wireLength: Int
    var virtio: [UInt8]
    var truncated: Bool
}

private func collect(_ socket: PacketSocket, milliseconds: Int, until stop: (Seen) -> Bool) -> [Seen] {
    var seen: [Seen] = []
    var malformed: UInt64 = 0
    let deadline = MonotonicClock.nanoseconds() + UInt64(milliseconds) * 1_000_000
    var done = false
    while !done && MonotonicClock.nanoseconds() < deadline {
        _ = waitUntilReadable(socket.fd, milliseconds: 20)
        while !done, socket.receive(max: 64, malformed: &malformed, { frame in
            let copy = Seen(bytes: Array(frame.unsafeBytes), wireLength: frame.wireLength,
                virtio: Array(frame.unsafeVirtioHeader), truncated: frame.isTruncated)
            seen.append(copy)
            if stop(copy) { done = true }
        }) > 0 {}
    }
    #expect(malformed == 0)
    return seen
}

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

private func mac(_ text: String) -> [UInt8] { text.split(separator: ":").map { UInt8($0, radix: 16)! } }

/// An Ethernet frame (type 0x88B5, the IEEE local-experimental EtherType) carrying `marker`.
private func experimentalFrame(to destination: [UInt8], from source: [UInt8], marker: [UInt8]) -> [UInt8] {
    destination + source + [0x88, 0xB5] + marker + [UInt8](repeating: 0, count: max(0, 46 - marker.count))
}

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for namespaces and AF_PACKET"))
struct PacketSocketTests {
    @Test func framesThePeerSendsArriveWithAnEmptyVirtioHeader() throws {
        let veth = try VethPeer()
        defer { veth.remove() }
        let socket = try PacketSocket(ifindex: veth.ifindex, transmitSlotSize: 2048)
        let marker: [UInt8] = Array("exo-rx-\(getpid())".utf8)
        // Unicast to a MAC that is not our end's: promiscuous membership still delivers it.
        let frame = experimentalFrame(to: [0x02, 0, 0, 0, 0, 0x42], from: [0x02, 0, 0, 0, 0, 0x43], marker: marker)
        try veth.python(sendFrameScript, [veth.peer, hex(frame)])
        let seen = collect(socket, milliseconds: 3000) { $0.bytes == frame }
        let match = try #require(seen.first { $0.bytes == frame }, "seen \(seen.count) frames")
        #expect(match.wireLength == frame.count)
        #expect(!match.truncated)
        #expect(match.virtio == [UInt8](repeating: 0, count: 10))
    }

    @Test func aFrameSentThroughTheSocketReachesAPeerRawSocketAndIsNotSeenByUs() throws {
        let veth = try VethPeer()
        defer { veth.remove() }
        let socket = try PacketSocket(ifindex: veth.ifindex, transmitSlotSize: 2048)
        let marker: [UInt8] = Array("exo-tx-\(getpid())".utf8)
        let capture = try veth.startPython(captureScript, [veth.peer, hex(marker)])
        #expect(capture.waitFor("ready"))
        let frames = (0..<3).map { i in
            experimentalFrame(to: [0x02, 0, 0, 0, 0, 0x44], from: mac(veth.localMAC), marker: marker + [UInt8(i)])
        }
        for frame in frames {
            let slot = socket.nextSlot()
            slot.copyBytes(from: frame)
            socket.stage(length: frame.count)
        }
        #expect(socket.stagedCount == 3)
        let outcome = socket.flushTransmit()
        #expect(outcome == PacketTransmitOutcome(sent: 3, sentBytes: frames.map(\.count).reduce(0, +), failed: 0, lastErrno: 0))
        #expect((0..<3).allSatisfy { socket.didSend($0) })
        #expect(socket.stagedCount == 0)
        capture.wait()
        let line = capture.output().split(separator: "\n").first { $0.hasPrefix("frame ") }
        #expect(line.map { String($0.dropFirst(6)) } == hex(frames[0]), "\(capture.output())")
        // PACKET_IGNORE_OUTGOING: our own frames never come back into our ring.
        let echoed = collect(socket, milliseconds: 300) { _ in false }
        #expect(!echoed.contains { frame in frames.contains(frame.bytes) })
    }

    @Test func aFrameOverTheLinkMTUFailsAloneAndTheRestOfTheBatchIsSent() throws {
        let veth = try VethPeer()
        defer { veth.remove() }
        let socket = try PacketSocket(ifindex: veth.ifindex, transmitSlotSize: 4096)
        let small = experimentalFrame(to: [0x02, 0, 0, 0, 0, 0x45], from: mac(veth.localMAC), marker: [1, 2, 3])
        let huge = experimentalFrame(to: [0x02, 0, 0, 0, 0, 0x45], from: mac(veth.localMAC),
            marker: [UInt8](repeating: 7, count: 3000))
        for frame in [small, huge, small] {
            socket.nextSlot().copyBytes(from: frame)
            socket.stage(length: frame.count)
        }
        let outcome = socket.flushTransmit()
        #expect(outcome.sent == 2 && outcome.failed == 1)
        #expect(outcome.lastErrno == EMSGSIZE)
        #expect(socket.didSend(0) && !socket.didSend(1) && socket.didSend(2))
    }

    @Test func aUDPSegmentBurstFromThePeerArrivesAsOneGSOFrameWithItsVirtioHeader() throws {
        let veth = try VethPeer()
        defer { veth.remove() }
        let socket = try PacketSocket(ifindex: veth.ifindex, transmitSlotSize: 2048)
        // UDP_SEGMENT (103) with 1400-byte segments: 60,000 bytes leave the peer's stack as
        // one super-packet; veth hands it over unsegmented. It does not fit a 2 KiB ring slot:
        // the slot says TP_STATUS_COPY and the whole frame is read from the receive queue.
        try veth.python("""
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(17, 103, 1400)
            s.sendto(b"g" * 60000, (sys.argv[1], 9))
            """, [veth.localAddress])
        let seen = collect(socket, milliseconds: 3000) { $0.wireLength > 60_000 }
        let gso = try #require(seen.first { $0.wireLength > 60_000 }, "wire lengths \(seen.map(\.wireLength))")
        #expect(!gso.truncated)
        #expect(gso.bytes.count == 14 + 20 + 8 + 60_000)
        // virtio_net_hdr: NEEDS_CSUM, GSO_UDP_L4 (5), gso_size 1400 (native endian).
        #expect(gso.virtio[0] & 1 == 1)
        #expect(gso.virtio[1] == 5)
        #expect(UInt16(gso.virtio[4]) | UInt16(gso.virtio[5]) << 8 == 1400)
    }

    @Test func aJumboFrameLargerThanARingSlotArrivesWholeFromTheReceiveQueue() throws {
        let veth = try VethPeer()
        defer { veth.remove() }
        // Both ends at MTU 9000: a 7,000-byte frame crosses the link unchanged but does not fit
        // a 2 KiB slot, so the kernel marks the slot TP_STATUS_COPY and queues the frame whole.
        _ = try runIP(["link", "set", veth.local, "mtu", "9000"])
        _ = try runIP(["-n", veth.namespace, "link", "set", veth.peer, "mtu", "9000"])
        let socket = try PacketSocket(ifindex: veth.ifindex, transmitSlotSize: 2048)
        let marker: [UInt8] = Array("exo-jumbo-\(getpid())".utf8)
        let frame = experimentalFrame(
            to: [0x02, 0, 0, 0, 0, 0x46], from: [0x02, 0, 0, 0, 0, 0x47], marker: marker + [UInt8](repeating: 0x5A, count: 6_986 - marker.count))
        #expect(frame.count == 7_000)
        try veth.python(sendFrameScript, [veth.peer, hex(frame)])
        let seen = collect(socket, milliseconds: 3000) { $0.bytes.starts(with: frame.prefix(14 + marker.count)) }
        let whole = try #require(seen.first { $0.wireLength == frame.count }, "wire lengths \(seen.map(\.wireLength))")
        #expect(!whole.truncated)
        #expect(whole.bytes == frame)
        #expect(whole.virtio == [UInt8](repeating: 0, count: 10))
    }

    @Test func aRingGeometryTheKernelCouldNotUseIsRefusedBeforeAnySocketExists() throws {
        let veth = try VethPeer()
        defer { veth.remove() }
        // Slots too small for a header and a frame; blocks that do not divide into slots.
        for geometry in [PacketRingGeometry(slotSize: 128), PacketRingGeometry(slotSize: 3000), PacketRingGeometry(blockSize: 5000)] {
            #expect(throws: SystemError.self) { try PacketSocket(ifindex: veth.ifindex, geometry: geometry, transmitSlotSize: 2048) }
        }
    }

    @Test func promiscuityIsAMembershipThatEndsWithTheSocket() throws {
        let veth = try VethPeer()
        defer { veth.remove() }
        var socket: PacketSocket? = try PacketSocket(ifindex: veth.ifindex, transmitSlotSize: 2048)
        #expect(try runIP(["-d", "link", "show", veth.local]).output.contains("promiscuity 1"))
        #expect(socket != nil)
        socket = nil
        #expect(try runIP(["-d", "link", "show", veth.local]).output.contains("promiscuity 0"))
    }

    @Test func aMissingInterfaceIsATypedError() {
        #expect(throws: SystemError.self) { try PacketSocket(ifindex: 999_999, transmitSlotSize: 2048) }
    }
}
