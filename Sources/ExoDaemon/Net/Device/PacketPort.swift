// The AF_PACKET backend: received packets lent straight from the TPACKET_V2 ring (no copy),
// sent packets staged in the socket's batch slots and flushed with sendmmsg.

import ExoPlatform
import ExoPacket

/// An existing interface through a packet socket, as a `NetworkDevice`. Owns the socket
/// (closed, with its promiscuous membership, with it).
final class PacketPort: NetworkDevice {
    static let packetsPerWake = 256

    let socket: PacketSocket
    private let linkIndex: Int32

    init(_ socket: PacketSocket, ifindex: Int32) {
        self.socket = socket
        linkIndex = ifindex
    }

    var readinessDescriptor: Int32? { socket.fd }
    var ifindex: Int32? { linkIndex }
    /// One acquire load on the ring: no system call.
    var hasReadyPacket: Bool? { socket.hasReadyFrame }

    /// Lends ring slots: `scratch` is not used (the ring is the buffer).
    @inline(__always)
    func receive(max: Int, into scratch: UnsafeMutableRawBufferPointer, _ body: (ReceivedPacket) -> Void)
        -> ReceiveOutcome
    {
        var outcome = ReceiveOutcome()
        outcome.handed = socket.receive(max: max, malformed: &outcome.malformed) { slot in
            let offloaded = slot.virtioGSOType != 0
                || slot.virtioFlags & VirtioNetHeader.Flags.needsChecksum.rawValue != 0
            body(ReceivedPacket(
                bytes: slot.unsafeBytes, wireLength: slot.wireLength, hasVLANTag: slot.hasVLANTag,
                offloadHeader: offloaded ? slot.unsafeVirtioHeader : nil))
        }
        return outcome
    }

    @inline(__always)
    func transmitSlot() -> UnsafeMutableRawBufferPointer { socket.nextSlot() }

    @inline(__always)
    func stage(length: Int) { socket.stage(length: length) }

    func flush() -> PacketTransmitOutcome {
        guard socket.stagedCount > 0 else { return PacketTransmitOutcome(sent: 0, sentBytes: 0, failed: 0, lastErrno: 0) }
        return socket.flushTransmit()
    }

    func sendNow(_ packet: UnsafeRawBufferPointer) -> Bool { socket.sendNow(packet) }

    /// The link went down or away (ENETDOWN): reading the error clears it, so it is reported
    /// once; the link monitor says whether the link is gone.
    func hungUp(logName: String) -> Bool {
        if let error = socket.takeError() { Log.warning("packet socket on \(logName): \(error)") }
        return true
    }

    /// PACKET_STATISTICS resets on read: the caller accumulates.
    func takeQueueDrops() -> UInt64 {
        guard let statistics = try? socket.takeStatistics() else { return 0 }
        return UInt64(statistics.drops)
    }
}
