// The one per-frame routing step both NIC backends call: classify a received frame, then
// deliver it to a tenant, answer it (ARP, echo) or count its drop. Hooks go here.

import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket

extension DataPlane {
    /// Routes one received frame. `frame` is borrowed for the call: the TAP backend's
    /// `rxBuffer` or a frame still in the packet ring (kernel-written, read-only to us), of
    /// at most `nic.frameSize` bytes. Allocates nothing.
    @inline(__always)
    func route(_ frame: UnsafeRawBufferPointer, nic: NicPort) {
        // Tenants get untagged Ethernet only: a VLAN EtherType (802.1Q, 802.1ad, QinQ) is
        // refused here, explicitly, whatever the demultiplexer would make of it.
        if frame.count >= 14, EtherType(rawValue: UInt16(frame[12]) << 8 | UInt16(frame[13])).isVLANTag {
            nic.nicDrops[NicDrop.vlanTagged.rawValue] &+= 1
            return
        }
        switch Demultiplexer.classify(PacketBytes(unsafeBuffer: frame), plan: plan, bindings: bindings) {
        case .tenant(let session):
            // Impairment off: this one branch is all it costs.
            if impairment.isActive, interceptReceived(frame, session: session) { return }
            deliver(frame, to: session, nic: nic)
        case .daemonARP: _ = nic.answerARP(frame, daemonMAC: plan.daemonMAC)
        case .daemonEcho: if !nic.answerEcho(frame, daemonMAC: plan.daemonMAC) { nic.unansweredEcho &+= 1 }
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
            nic.rxDrops[reason.counterIndex] &+= 1
        }
    }

    /// Refuses what the packet ring hands over but no tenant may get as it is, then routes
    /// the rest: truncated, VLAN-tagged, or too long for the MTU or a frame, each a counted
    /// drop. GSO super-packets and partial checksums, which the peer kernel's offloads leave
    /// for us, are segmented or completed in software first (`routeOffloaded`). The frame is
    /// borrowed from the ring for the call.
    @inline(__always)
    func routeRingFrame(_ frame: PacketRingSlot, nic: NicPort) {
        nic.rxPackets &+= 1
        nic.rxBytes &+= UInt64(frame.wireLength)
        if frame.isTruncated {
            nic.nicDrops[NicDrop.truncated.rawValue] &+= 1
        } else if frame.hasVLANTag {
            nic.nicDrops[NicDrop.vlanTagged.rawValue] &+= 1
        } else if frame.virtioGSOType != 0 || frame.virtioFlags & VirtioNetHeader.Flags.needsChecksum.rawValue != 0 {
            routeOffloaded(frame, nic: nic)
        } else if !nic.fits(frame.unsafeBytes.count) {
            nic.nicDrops[NicDrop.tooLong.rawValue] &+= 1
        } else {
            route(frame.unsafeBytes, nic: nic)
        }
    }

    /// Segments a GSO super-packet (or copies a frame with a partial checksum) into
    /// `nic.rxBuffer`, completing every checksum, and routes each resulting frame. The ring
    /// memory is only read: the kernel's frame stays as it came. A frame the offload code
    /// refuses is dropped and counted by its `OffloadFault`.
    func routeOffloaded(_ frame: PacketRingSlot, nic: NicPort) {
        let bytes = PacketBytes(unsafeBuffer: frame.unsafeBytes)
        let scratch = nic.rxBuffer
        do {
            let header = try VirtioNetHeader(
                parsing: PacketBytes(unsafeBuffer: frame.unsafeVirtioHeader), frameLength: bytes.count)
            nic.offloadedFrames &+= 1
            let segments = try Offload.segment(
                bytes, header: header, scratch: MutablePacketBytes(unsafeBuffer: scratch),
                maximumFrame: min(nic.frameSize, Int(nic.mtu) + EthernetPacket.headerLength)
            ) { segment in
                // Offload writes each segment at the start of `scratch` and lends it for this call.
                route(UnsafeRawBufferPointer(rebasing: scratch[..<segment.count]), nic: nic)
            }
            nic.offloadSegments &+= UInt64(segments)
        } catch {
            nic.offloadDrops[Int(error.rawValue)] &+= 1
        }
    }
}
