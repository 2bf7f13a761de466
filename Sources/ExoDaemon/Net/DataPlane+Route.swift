// The one per-packet routing step every device's packets go through: refuse what no tenant
// may get as it is, classify the rest, then deliver to a tenant, answer (ARP, echo) or count
// the drop. Hooks go here.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

extension DataPlane {
    /// Routes one received frame. `frame` is borrowed for the call: the NIC's `rxBuffer` or
    /// a frame still in the packet ring (kernel-written, read-only to us), of
    /// at most `nic.frameSize` bytes. Allocates nothing.
    @inline(__always)
    func route(_ frame: UnsafeRawBufferPointer, nic: NicPort) {
        // Tenants get untagged Ethernet only: a VLAN EtherType (802.1Q, 802.1ad, QinQ) is
        // refused here, explicitly, whatever the demultiplexer would make of it.
        if frame.count >= 14, EtherType(rawValue: UInt16(frame[12]) << 8 | UInt16(frame[13])).isVLANTag {
            nic.counters.count(.vlanTagged)
            return
        }
        switch Demultiplexer.classify(PacketBytes(unsafeBuffer: frame), plan: plan, bindings: bindings) {
        case .tenant(let session):
            // Impairment off: this one branch is all it costs.
            if impairment.isActive, interceptReceived(frame, session: session) { return }
            deliver(frame, to: session, nic: nic)
        case .daemonARP: _ = nic.answerARP(frame, daemonMAC: plan.daemonMAC)
        case .daemonEcho: if !nic.answerEcho(frame, daemonMAC: plan.daemonMAC) { nic.counters.countUnansweredEcho() }
        case .reassemble: reassembleAndRoute(frame, nic: nic)
        case .drop(let reason): countDrop(reason, nic: nic)
        }
    }

    /// Counts a received frame that reached no tenant.
    @inline(__always)
    func countDrop(_ reason: DropReason, nic: NicPort) {
        if case .filteredOut(let session) = reason {
            countFilteredOut(session, nic: nic)
        } else {
            nic.counters.count(reason)
        }
    }

    /// Refuses what a device hands over but no tenant may get as it is, then routes the
    /// rest: truncated, VLAN-tagged, or too long for the MTU or a frame, each a counted drop.
    /// GSO super-packets and partial checksums, which the peer kernel's offloads leave for
    /// us, are segmented or completed in software first (`routeOffloaded`). The packet is
    /// borrowed for the call.
    @inline(__always)
    func routeReceived(_ packet: ReceivedPacket, nic: NicPort) {
        nic.counters.received(bytes: packet.wireLength)
        if packet.isTruncated {
            nic.counters.count(.truncated)
        } else if packet.hasVLANTag {
            nic.counters.count(.vlanTagged)
        } else if let header = packet.offloadHeader {
            routeOffloaded(packet.bytes, header: header, nic: nic)
        } else if !nic.fits(packet.bytes.count) {
            nic.counters.count(.tooLong)
        } else {
            route(packet.bytes, nic: nic)
        }
    }

    /// Segments a GSO super-packet (or copies a packet with a partial checksum) into
    /// `nic.rxBuffer`, completing every checksum, and routes each resulting packet. The ring
    /// memory is only read: the kernel's packet stays as it came. A packet the offload code
    /// refuses is dropped and counted by its `OffloadFault`.
    func routeOffloaded(_ packet: UnsafeRawBufferPointer, header virtio: UnsafeRawBufferPointer, nic: NicPort) {
        let bytes = PacketBytes(unsafeBuffer: packet)
        let scratch = nic.rxBuffer
        do {
            let header = try VirtioNetHeader(parsing: PacketBytes(unsafeBuffer: virtio), frameLength: bytes.count)
            nic.counters.countOffloaded()
            let segments = try Offload.segment(
                bytes, header: header, scratch: MutablePacketBytes(unsafeBuffer: scratch),
                maximumFrame: min(nic.frameSize, Int(nic.mtu) + EthernetPacket.headerLength)
            ) { segment in
                // Offload writes each segment at the start of `scratch` and lends it for this call.
                route(UnsafeRawBufferPointer(rebasing: scratch[..<segment.count]), nic: nic)
            }
            nic.counters.countSegments(segments)
        } catch {
            nic.counters.count(error)
        }
    }
}
