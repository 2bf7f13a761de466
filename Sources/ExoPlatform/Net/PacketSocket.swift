// An AF_PACKET socket on one existing interface: TPACKET_V2 receive ring (mmap'd once, one
// slot per frame), virtio-net headers, promiscuous membership, and batched transmit.
import CExoShims
import Glibc

/// The receive ring's shape: `slotCount` fixed slots of `slotSize` bytes, each handed to user
/// space as soon as the kernel has written its frame (TPACKET_V2). A frame that does not fit
/// a slot (a peer's GSO super-packet, up to ~64 KiB, or a jumbo frame) arrives truncated in
/// its slot, marked TP_STATUS_COPY, and whole on the socket's receive queue, which
/// `copyQueueBytes` bounds (SO_RCVBUFFORCE).
///
/// Why not TPACKET_V3: V3 hands user space a *block* of frames only when the block is full
/// or its retire timer fires, so a lone frame waited up to the whole timeout (1.2 ms more
/// per UDP round trip at a 2 ms timeout, measured: docs/NIC-BACKENDS.md).
public struct PacketRingGeometry: Sendable, Equatable {
    /// Bytes per slot: the 32-byte frame header, its sockaddr_ll, the virtio-net header and
    /// an MTU-1500 frame (76 + 1514 bytes) fit in 2 KiB. A multiple of 16.
    public var slotSize: Int
    /// Slots in the ring.
    public var slotCount: Int
    /// Bytes per kernel allocation unit: a multiple of the page size and of `slotSize`.
    public var blockSize: Int
    /// Receive-queue bytes for frames larger than a slot (read with recv).
    public var copyQueueBytes: Int

    public init(slotSize: Int = 2048, slotCount: Int = 8192, blockSize: Int = 64 << 10, copyQueueBytes: Int = 4 << 20) {
        self.slotSize = slotSize
        self.slotCount = slotCount
        self.blockSize = blockSize
        self.copyQueueBytes = copyQueueBytes
    }

    var byteCount: Int { slotSize * slotCount }

    var isValid: Bool {
        slotSize >= 256 && slotSize % 16 == 0 && blockSize % Int(getpagesize()) == 0 && blockSize % slotSize == 0
            && slotCount > 0 && (slotSize * slotCount) % blockSize == 0 && copyQueueBytes > 0
    }
}

/// One AF_PACKET SOCK_RAW socket bound to one interface, receiving every protocol through a
/// TPACKET_V2 ring and sending through `sendmmsg`.
///
/// Set-up order matters and is fixed here: the socket is opened with protocol 0 (so it
/// queues nothing yet); TPACKET_V2; **PACKET_VNET_HDR before the ring exists** (the kernel
/// refuses it afterwards, and without it a peer's GSO super-packets and partial checksums
/// arrive without the header that describes them); PACKET_IGNORE_OUTGOING (frames this host
/// sends on the link are not ours to receive); PACKET_COPY_THRESH and a receive buffer for
/// frames larger than a slot; the ring and its one mapping; bind to the ifindex with
/// ETH_P_ALL; and promiscuity as a PACKET_MR_PROMISC *membership*, which the kernel drops with
/// the socket, so a crashed daemon leaves no promiscuous interface.
///
/// Owns the descriptor, the ring mapping, the large-frame buffer and the transmit slots; all
/// are released on deinit. Not `Sendable`: one thread (the daemon's loop) receives and sends.
public final class PacketSocket {
    private let descriptor: OwnedDescriptor
    /// The socket (owned by this object), for epoll: readable when a frame is ready.
    public var fd: Int32 { descriptor.raw }
    /// The interface this socket is bound to.
    public let ifindex: Int32
    public let geometry: PacketRingGeometry
    /// The receive ring: `geometry.byteCount` bytes, mapped until deinit.
    let ring: UnsafeMutableRawPointer
    /// The slot the kernel fills next; slots are returned strictly in order.
    var nextRingSlot = 0
    /// Where a frame larger than a slot is read whole from the receive queue: its virtio-net
    /// header, then up to `largeFrameCapacity` bytes of frame.
    let largeFrame: UnsafeMutableRawBufferPointer
    /// Transmit slots and their staging state (see PacketSocket+Transmit.swift).
    let transmit: PacketTransmitSlots

    /// The largest frame read whole: a 64 KiB IPv4 datagram behind an Ethernet header and a
    /// VLAN tag. Longer ones are handed over truncated.
    public static let largeFrameCapacity = 65_535 + 18

    /// Opens and configures the socket on `ifindex` (which must exist: ENODEV otherwise).
    /// `transmitSlotSize` bytes per transmit slot (the largest frame the caller will send),
    /// `transmitBatch` slots (at most 64). Needs CAP_NET_RAW (and CAP_NET_ADMIN for a receive
    /// buffer over net.core.rmem_max; without it the buffer is what rmem_max allows).
    public init(
        ifindex: Int32, geometry: PacketRingGeometry = PacketRingGeometry(), transmitSlotSize: Int,
        transmitBatch: Int = Int(CEXO_PACKET_MAX_BATCH)
    ) throws(SystemError) {
        guard ifindex > 0, geometry.isValid, (1...Int(CEXO_PACKET_MAX_BATCH)).contains(transmitBatch),
            transmitSlotSize >= 14
        else { throw SystemError(operation: "PacketSocket geometry", errno: EINVAL) }
        let socket = OwnedDescriptor(adopting: try Syscall.retrying("socket(AF_PACKET)") {
            Glibc.socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        })
        let fd = socket.raw
        try Self.set(fd, CEXO_PACKET_VERSION, Int32(CEXO_TPACKET_V2), "PACKET_VERSION")
        try Self.set(fd, CEXO_PACKET_VNET_HDR, 1, "PACKET_VNET_HDR")
        try Self.set(fd, CEXO_PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING")
        // Any frame over a slot also goes whole onto the receive queue (TP_STATUS_COPY).
        try Self.set(fd, CEXO_PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH")
        // Past net.core.rmem_max needs CAP_NET_ADMIN; without it, as much as rmem_max allows.
        var queueBytes = Int32(clamping: geometry.copyQueueBytes)
        let length = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &queueBytes, length) != 0 {
            _ = try Syscall.retrying("setsockopt(SO_RCVBUF)") { setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &queueBytes, length) }
        }
        var request = tpacket_req()
        request.tp_block_size = UInt32(geometry.blockSize)
        request.tp_block_nr = UInt32(geometry.byteCount / geometry.blockSize)
        request.tp_frame_size = UInt32(geometry.slotSize)
        request.tp_frame_nr = UInt32(geometry.slotCount)
        try Self.setOption(fd, CEXO_PACKET_RX_RING, &request, "PACKET_RX_RING")
        let mapped = mmap(nil, geometry.byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        guard let mapped, mapped != MAP_FAILED else { throw SystemError.lastError("mmap(PACKET_RX_RING)") }
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = UInt16(CEXO_ETH_P_ALL).bigEndian
        address.sll_ifindex = ifindex
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
            }
        }
        if bound != 0 {
            let error = SystemError.lastError("bind(AF_PACKET, ifindex \(ifindex))")
            munmap(mapped, geometry.byteCount)
            throw error
        }
        var membership = packet_mreq()
        membership.mr_ifindex = ifindex
        membership.mr_type = UInt16(CEXO_PACKET_MR_PROMISC)
        do {
            try Self.setOption(fd, CEXO_PACKET_ADD_MEMBERSHIP, &membership, "PACKET_ADD_MEMBERSHIP(PROMISC)")
        } catch {
            munmap(mapped, geometry.byteCount)
            throw error
        }
        descriptor = socket
        self.ifindex = ifindex
        self.geometry = geometry
        ring = mapped
        largeFrame = .allocate(byteCount: Int(CEXO_VIRTIO_NET_HDR_LEN) + Self.largeFrameCapacity, alignment: 64)
        transmit = PacketTransmitSlots(slotSize: transmitSlotSize, count: transmitBatch)
    }

    deinit {
        munmap(ring, geometry.byteCount)
        largeFrame.deallocate()
    }

    /// Frames the kernel queued into the ring and frames it dropped because the ring was
    /// full, since the previous call (PACKET_STATISTICS resets them on read).
    public func takeStatistics() throws(SystemError) -> (packets: UInt32, drops: UInt32) {
        var stats = tpacket_stats()
        var length = socklen_t(MemoryLayout<tpacket_stats>.size)
        _ = try Syscall.retrying("getsockopt(PACKET_STATISTICS)") {
            getsockopt(fd, Int32(CEXO_SOL_PACKET), Int32(CEXO_PACKET_STATISTICS), &stats, &length)
        }
        return (stats.tp_packets, stats.tp_drops)
    }

    private static func set(_ fd: Int32, _ option: some BinaryInteger, _ value: Int32, _ name: String) throws(SystemError) {
        var value = value
        try setOption(fd, option, &value, name)
    }

    /// setsockopt(SOL_PACKET) with a plain C struct or integer (`BitwiseCopyable`: no references).
    private static func setOption<T: BitwiseCopyable>(
        _ fd: Int32, _ option: some BinaryInteger, _ value: inout T, _ name: String
    ) throws(SystemError) {
        let size = socklen_t(MemoryLayout<T>.size)
        _ = try withUnsafeBytes(of: &value) { bytes throws(SystemError) in
            try Syscall.retrying("setsockopt(\(name))") {
                setsockopt(fd, Int32(CEXO_SOL_PACKET), Int32(option), bytes.baseAddress, size)
            }
        }
    }
}

extension PacketSocket {
    /// The socket's pending error (SO_ERROR), which reading clears: ENETDOWN after the link
    /// went down or was deleted. Nil when there is none.
    public func takeError() -> SystemError? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return SystemError.lastError("getsockopt(SO_ERROR)") }
        return value == 0 ? nil : SystemError(operation: "packet socket", errno: value)
    }
}
