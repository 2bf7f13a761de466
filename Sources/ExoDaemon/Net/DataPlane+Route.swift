// The one per-frame routing step both NIC backends call: classify a received frame, then
// deliver it to a tenant, answer it (ARP, echo) or count its drop. Hooks go here.

import ExoCore
import ExoPlatform
import ExoWire

extension DataPlane {
    /// Routes one received frame. `frame` is borrowed for the call: the TAP backend's
    /// `rxBuffer` or a frame still in the packet ring (kernel-written, read-only to us), of
    /// at most `nic.frameSize` bytes. Allocates nothing.
    @inline(__always)
    func route(_ frame: UnsafeRawBufferPointer, nic: NicPort) {
        // Tenants get untagged Ethernet only: a VLAN EtherType (802.1Q, 802.1ad, QinQ) is
        // refused here, explicitly, whatever the demultiplexer would make of it.
        if frame.count >= 14 {
            let type = UInt16(frame[12]) << 8 | UInt16(frame[13])
            if type == 0x8100 || type == 0x88A8 || type == 0x9100 {
                nic.nicDrops[NicDrop.vlanTagged.rawValue] &+= 1
                return
            }
        }
        switch Demultiplexer.classify(PacketBytes(unsafeBuffer: frame), plan: plan, bindings: bindings) {
        case .tenant(let session): deliver(frame, to: session, nic: nic)
        case .daemonARP: _ = nic.answerARP(frame, daemonMAC: plan.daemonMAC)
        case .daemonEcho: if !nic.answerEcho(frame, daemonMAC: plan.daemonMAC) { nic.unansweredEcho &+= 1 }
        case .reassemble: reassembleAndRoute(frame, nic: nic)
        case .drop(let reason): countDrop(reason, nic: nic)
        }
    }

    /// Counts a received frame that reached no tenant.
    @inline(__always)
    func countDrop(_ reason: DropReason, nic: NicPort) {
        nic.rxDrops[reason.counterIndex] &+= 1
    }

    /// Refuses what the packet ring hands over but no tenant may get as it is, then routes
    /// the rest: truncated, VLAN-tagged, too long for the MTU or a frame, and — until the
    /// software offload path lands — GSO super-packets and partial checksums, each a counted
    /// drop. The frame is borrowed from the ring for the call.
    @inline(__always)
    func routeRingFrame(_ frame: PacketRingFrame, nic: NicPort) {
        nic.rxPackets &+= 1
        nic.rxBytes &+= UInt64(frame.wireLength)
        if frame.isTruncated {
            nic.nicDrops[NicDrop.truncated.rawValue] &+= 1
        } else if frame.hasVLANTag {
            nic.nicDrops[NicDrop.vlanTagged.rawValue] &+= 1
        } else if frame.virtioGSOType != 0 {
            nic.nicDrops[NicDrop.gso.rawValue] &+= 1
        } else if frame.virtioFlags & 1 != 0 {
            nic.nicDrops[NicDrop.partialChecksum.rawValue] &+= 1
        } else if !nic.fits(frame.unsafeBytes.count) {
            nic.nicDrops[NicDrop.tooLong.rawValue] &+= 1
        } else {
            route(frame.unsafeBytes, nic: nic)
        }
    }
}
