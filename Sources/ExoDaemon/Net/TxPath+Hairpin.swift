// Hairpin delivery: a frame one tenant sends to another tenant of this daemon is delivered
// on the daemon's side, since neither TAP nor AF_PACKET reflects the daemon's own frames.

import ExoCore
import ExoWire
import ExoPacket

extension TxPath {
    /// Routes a frame the egress guard allowed as if it had been received: to a tenant
    /// session's rx ring, or answered by the daemon into the sender's rx ring (ARP and echo
    /// for shared addresses). Returns true when the frame was handled here and must not go
    /// to the NIC; false sends it on (frames for nobody here, for the sender itself, and
    /// broadcast ARP, which is delivered and still goes to the wire).
    ///
    /// `frame` is the daemon's private copy of the sent frame (memory no tenant can write);
    /// an echo or ARP answer is built in it in place. Packet path: no allocation.
    func hairpin(_ frame: UnsafeMutableRawBufferPointer, from path: SessionRings, nic: NicPort) -> Bool {
        let bytes = PacketBytes(unsafeBuffer: UnsafeRawBufferPointer(frame))
        switch Demultiplexer.classify(bytes, plan: plan, bindings: state.bindings) {
        case .tenant(let session):
            // Like a switch, never back out of the port it came in on.
            guard session != path.session else { return false }
            delivery.deliver(UnsafeRawBufferPointer(frame), to: session, nic: nic)
            if EthernetPacket.isBroadcast(bytes) { return false }
            state.countSent(frame.count, tenant: path.tenant)
            return true
        case .daemonARP:
            guard DaemonReplies.turnIntoARPReply(frame, daemonMAC: plan.daemonMAC) else { return false }
        case .daemonEcho:
            guard DaemonReplies.turnIntoEchoReply(frame, daemonMAC: plan.daemonMAC) else { return false }
        case .reassemble:
            // A fragment for a tenant here: reassembled and routed like a received one.
            reassembly.reassembleAndRoute(UnsafeRawBufferPointer(frame), nic: nic, sender: path.tenant)
            state.countSent(frame.count, tenant: path.tenant)
            return true
        case .drop(.filteredOut(let session)):
            // For a tenant here whose filters refuse it: it stays here, counted, like a received one.
            state.countFilteredOut(session, nic: nic)
            state.countSent(frame.count, tenant: path.tenant)
            return true
        case .drop:
            return false
        }
        // The daemon's answer, in place of the request: back to the sender.
        state.countSent(frame.count, tenant: path.tenant)
        delivery.deliver(UnsafeRawBufferPointer(frame), to: path.session, nic: nic)
        return true
    }
}

extension EthernetPacket {
    /// True when the frame in `bytes` (at least 6 bytes) goes to the broadcast address.
    static func isBroadcast(_ bytes: PacketBytes) -> Bool {
        bytes.count >= 6 && MACAddress(bytes, at: 0).isBroadcast
    }
}
