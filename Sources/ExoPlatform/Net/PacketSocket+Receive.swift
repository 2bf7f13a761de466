// Walking the TPACKET_V2 ring: ready slots in order, each frame header read once and
// bound-checked, handed to a closure as a borrowed view, the slot returned right after.
// A frame larger than a slot is read whole from the socket's receive queue instead.
import CExoShims
import Glibc

/// One received frame, borrowed for the duration of the closure it is passed to.
/// Invariant: `unsafeBytes` and `unsafeVirtioHeader` point either into a ring slot the kernel
/// handed to user space and will not write until `receive` returns it, or into the socket's
/// large-frame buffer, which only `receive` writes; both were bound-checked. Do not keep
/// either pointer past the closure.
public struct PacketRingSlot {
    /// The captured bytes from the Ethernet header on.
    public let unsafeBytes: UnsafeRawBufferPointer
    /// The struct virtio_net_hdr the kernel wrote just before the Ethernet header (10 bytes).
    public let unsafeVirtioHeader: UnsafeRawBufferPointer
    /// The frame's length on the wire (`tp_len`): more than `unsafeBytes.count` when the
    /// kernel truncated it to fit (and could not queue it whole).
    public let wireLength: Int
    /// `tp_status`: TP_STATUS_VLAN_VALID, TP_STATUS_CSUMNOTREADY, ...
    public let status: UInt32
    /// `tp_vlan_tci`, meaningful only when `hasVLANTag`.
    public let vlanTCI: UInt16

    /// The kernel captured fewer bytes than the frame had.
    public var isTruncated: Bool { unsafeBytes.count < wireLength }
    /// The frame carried an 802.1Q tag that the kernel (or the NIC) stripped into `vlanTCI`.
    public var hasVLANTag: Bool { status & UInt32(TP_STATUS_VLAN_VALID) != 0 }
    /// The transport checksum is partial (the sender offloaded it): see the virtio header.
    public var checksumNotReady: Bool { status & UInt32(TP_STATUS_CSUMNOTREADY) != 0 }
    /// virtio_net_hdr.flags (VIRTIO_NET_HDR_F_NEEDS_CSUM = 1, DATA_VALID = 2).
    public var virtioFlags: UInt8 { unsafeVirtioHeader[0] }
    /// virtio_net_hdr.gso_type: 0 none, 1 TCPv4, 3 UDP, 4 TCPv6, 5 UDP_L4, 0x80 ECN bit.
    public var virtioGSOType: UInt8 { unsafeVirtioHeader[1] }
}

/// Byte offsets in struct tpacket2_hdr (asserted against the kernel's headers in
/// layout_checks.c).
enum TPacketField {
    static let status = 0
    static let wireLength = 4
    static let snapLength = 8
    static let macOffset = 12
    static let vlanTCI = 24
    static let headerLength = 32
}

extension PacketSocket {
    /// Hands up to `max` ready frames to `body`, in ring order, returning each slot to the
    /// kernel right after. Returns how many slots were consumed (0: nothing ready). A slot
    /// whose header points outside it is not handed over and is counted in `malformed` (a
    /// kernel that wrote it would be broken, but the bounds hold regardless). Allocates
    /// nothing; `body` must not call `receive` again.
    public func receive(max: Int, malformed: inout UInt64, _ body: (PacketRingSlot) -> Void) -> Int {
        var consumed = 0
        while consumed < max {
            let slot = ring + nextRingSlot * geometry.slotSize
            let statusWord = slot.assumingMemoryBound(to: UInt32.self)
            let status = cexo_load_acquire_u32(statusWord)
            guard status & UInt32(TP_STATUS_USER) != 0 else { break }
            if let frame = Self.frame(in: slot, slotSize: geometry.slotSize, status: status) {
                if status & UInt32(TP_STATUS_COPY) != 0 {
                    body(queuedWhole(truncated: frame))
                } else {
                    body(frame)
                }
            } else {
                malformed &+= 1
                // The whole frame was queued too; it must not be taken for the next one.
                if status & UInt32(TP_STATUS_COPY) != 0 { discardQueuedFrame() }
            }
            // Everything read from the slot happened before the kernel may reuse it.
            cexo_store_release_u32(statusWord, UInt32(TP_STATUS_KERNEL))
            nextRingSlot = nextRingSlot + 1 == geometry.slotCount ? 0 : nextRingSlot + 1
            consumed += 1
        }
        return consumed
    }

    /// Whether the next slot holds a frame, without consuming it: one acquire load, no
    /// system call (what a busy-polling loop checks).
    public var hasReadyFrame: Bool {
        let word = (ring + nextRingSlot * geometry.slotSize).assumingMemoryBound(to: UInt32.self)
        return cexo_load_acquire_u32(word) & UInt32(TP_STATUS_USER) != 0
    }

    /// The frame in the slot at `slot`, every field read once into a local and checked:
    /// header, virtio header and captured bytes all inside the slot, in that order.
    private static func frame(in slot: UnsafeMutableRawPointer, slotSize: Int, status: UInt32) -> PacketRingSlot? {
        let snap = Int(slot.loadUnaligned(fromByteOffset: TPacketField.snapLength, as: UInt32.self))
        let wire = Int(slot.loadUnaligned(fromByteOffset: TPacketField.wireLength, as: UInt32.self))
        let mac = Int(slot.loadUnaligned(fromByteOffset: TPacketField.macOffset, as: UInt16.self))
        let tci = slot.loadUnaligned(fromByteOffset: TPacketField.vlanTCI, as: UInt16.self)
        let virtioLength = Int(CEXO_VIRTIO_NET_HDR_LEN)
        guard mac >= TPacketField.headerLength + virtioLength, mac <= slotSize, snap <= slotSize - mac else { return nil }
        let start = slot + mac
        return PacketRingSlot(
            unsafeBytes: UnsafeRawBufferPointer(start: start, count: snap),
            unsafeVirtioHeader: UnsafeRawBufferPointer(start: start - virtioLength, count: virtioLength),
            wireLength: wire, status: status, vlanTCI: tci)
    }

    /// The whole frame whose truncated copy is `truncated` (its slot said TP_STATUS_COPY; the
    /// kernel queued the whole frame before it marked the slot, and queues nothing else on a
    /// ring socket), read from the receive queue into `largeFrame`: the virtio-net header,
    /// then the frame. When the queue has nothing or the frame is longer than the buffer,
    /// the truncated copy (or a truncated view of the buffer) is handed over and counted as
    /// truncated by the caller.
    private func queuedWhole(truncated: PacketRingSlot) -> PacketRingSlot {
        let virtioLength = Int(CEXO_VIRTIO_NET_HDR_LEN)
        let read = recv(fd, largeFrame.baseAddress, largeFrame.count, Int32(MSG_DONTWAIT | MSG_TRUNC))
        guard read >= virtioLength + 14 else { return truncated }
        let captured = min(read, largeFrame.count) - virtioLength
        let start = UnsafeRawPointer(largeFrame.baseAddress!)
        return PacketRingSlot(
            unsafeBytes: UnsafeRawBufferPointer(start: start + virtioLength, count: captured),
            unsafeVirtioHeader: UnsafeRawBufferPointer(start: start, count: virtioLength),
            wireLength: read - virtioLength, status: truncated.status & ~UInt32(TP_STATUS_COPY),
            vlanTCI: truncated.vlanTCI)
    }

    /// Drops the queued whole copy of a frame whose slot was malformed.
    private func discardQueuedFrame() {
        _ = recv(fd, largeFrame.baseAddress, 0, Int32(MSG_DONTWAIT | MSG_TRUNC))
    }
}
