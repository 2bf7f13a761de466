// Walking the TPACKET_V3 ring: ready blocks in order, each frame's tpacket3_hdr read once
// and bound-checked, handed to a closure as a borrowed view, the block returned after.
import CExoShims
import Glibc

/// One received frame, borrowed from the ring for the duration of the closure it is passed
/// to. Invariant: `unsafeBytes` and `unsafeVirtioHeader` point into a block the kernel
/// handed to user space and will not write until `receiveBlock` returns it; both were
/// bound-checked against the block. Do not keep either pointer past the closure.
public struct PacketRingSlot {
    /// The captured bytes from the Ethernet header on (`tp_snaplen` of them).
    public let unsafeBytes: UnsafeRawBufferPointer
    /// The struct virtio_net_hdr the kernel wrote just before the Ethernet header (10 bytes).
    public let unsafeVirtioHeader: UnsafeRawBufferPointer
    /// The frame's length on the wire (`tp_len`): more than `unsafeBytes.count` when the
    /// kernel truncated it to fit.
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

/// Byte offsets in struct tpacket_block_desc and struct tpacket3_hdr (asserted against the
/// kernel's headers in layout_checks.c).
enum TPacketField {
    static let blockStatus = 8
    static let blockPacketCount = 12
    static let blockFirstPacket = 16
    static let headerLength = 48
    static let nextOffset = 0
    static let snapLength = 12
    static let wireLength = 16
    static let status = 20
    static let macOffset = 24
    static let vlanTCI = 32
}

extension PacketSocket {
    /// Hands each frame of the next ready block to `body`, in order, then returns the block
    /// to the kernel. Returns how many frames were handed over, or nil when the kernel has
    /// not retired the next block yet (nothing to read). Frames whose header points outside
    /// the block are not handed over; they and the rest of that block are counted in
    /// `malformed` (a kernel that wrote them would be broken, but the bounds hold regardless).
    /// Allocates nothing; `body` must not call `receiveBlock` again.
    public func receiveBlock(malformed: inout UInt64, _ body: (PacketRingSlot) -> Void) -> Int? {
        let blockSize = geometry.blockSize
        let block = ring + nextBlock * blockSize
        let statusWord = (block + TPacketField.blockStatus).assumingMemoryBound(to: UInt32.self)
        guard cexo_load_acquire_u32(statusWord) & UInt32(TP_STATUS_USER) != 0 else { return nil }
        let count = Int(block.loadUnaligned(fromByteOffset: TPacketField.blockPacketCount, as: UInt32.self))
        var offset = Int(block.loadUnaligned(fromByteOffset: TPacketField.blockFirstPacket, as: UInt32.self))
        var delivered = 0
        while delivered < count {
            guard let frame = Self.frame(in: block, blockSize: blockSize, at: offset) else {
                malformed &+= UInt64(count - delivered)
                break
            }
            body(frame)
            delivered += 1
            let next = Int(block.loadUnaligned(fromByteOffset: offset + TPacketField.nextOffset, as: UInt32.self))
            if next == 0 {
                malformed &+= UInt64(count - delivered)
                break
            }
            offset += next
        }
        // Everything read from the block happened before the kernel may reuse it.
        cexo_store_release_u32(statusWord, UInt32(TP_STATUS_KERNEL))
        nextBlock = nextBlock + 1 == geometry.blockCount ? 0 : nextBlock + 1
        return delivered
    }

    /// Whether the next block is ready, without consuming it.
    public var hasReadyBlock: Bool {
        let word = (ring + nextBlock * geometry.blockSize + TPacketField.blockStatus).assumingMemoryBound(to: UInt32.self)
        return cexo_load_acquire_u32(word) & UInt32(TP_STATUS_USER) != 0
    }

    /// The frame whose tpacket3_hdr starts `offset` bytes into the block, every field read
    /// once into a local and checked: header, virtio header and captured bytes all inside
    /// the block, in that order.
    private static func frame(in block: UnsafeMutableRawPointer, blockSize: Int, at offset: Int) -> PacketRingSlot? {
        guard offset >= TPacketField.blockFirstPacket, offset & 3 == 0,
            offset <= blockSize - TPacketField.headerLength
        else { return nil }
        let snap = Int(block.loadUnaligned(fromByteOffset: offset + TPacketField.snapLength, as: UInt32.self))
        let wire = Int(block.loadUnaligned(fromByteOffset: offset + TPacketField.wireLength, as: UInt32.self))
        let status = block.loadUnaligned(fromByteOffset: offset + TPacketField.status, as: UInt32.self)
        let mac = Int(block.loadUnaligned(fromByteOffset: offset + TPacketField.macOffset, as: UInt16.self))
        let tci = block.loadUnaligned(fromByteOffset: offset + TPacketField.vlanTCI, as: UInt16.self)
        let virtioLength = Int(CEXO_VIRTIO_NET_HDR_LEN)
        guard mac >= TPacketField.headerLength + virtioLength, snap <= blockSize - offset - mac else { return nil }
        let start = block + offset + mac
        return PacketRingSlot(
            unsafeBytes: UnsafeRawBufferPointer(start: start, count: snap),
            unsafeVirtioHeader: UnsafeRawBufferPointer(start: start - virtioLength, count: virtioLength),
            wireLength: wire, status: status, vlanTCI: tci)
    }
}
