// An AF_PACKET socket on one existing interface: TPACKET_V3 receive ring (mmap'd once),
// virtio-net headers, promiscuous membership, and batched transmit from preallocated slots.
import CExoShims
import Glibc

/// The receive ring's shape. Blocks must hold the largest frame the kernel can hand over
/// (a 64 KiB GSO super-packet plus its headers), so one block is 256 KiB; sixteen of them
/// (4 MiB) absorb bursts while the daemon serves tenants. A block is handed to user space
/// when full or when `blockTimeoutMilliseconds` passed since its first frame, which bounds
/// the latency a lone frame sees.
public struct PacketRingGeometry: Sendable, Equatable {
    /// Bytes per block: a multiple of the page size, large enough for a 64 KiB frame.
    public var blockSize: Int
    /// Blocks in the ring.
    public var blockCount: Int
    /// How long the kernel keeps a block that is not full before retiring it.
    public var blockTimeoutMilliseconds: UInt32

    public init(blockSize: Int = 256 << 10, blockCount: Int = 16, blockTimeoutMilliseconds: UInt32 = 2) {
        self.blockSize = blockSize
        self.blockCount = blockCount
        self.blockTimeoutMilliseconds = blockTimeoutMilliseconds
    }

    /// TPACKET_V3 ignores frame slots within a block, but the kernel still checks that
    /// blocks divide into them; 2 KiB is the conventional value.
    static let nominalFrameSize = 2048
    var byteCount: Int { blockSize * blockCount }
}

/// One AF_PACKET SOCK_RAW socket bound to one interface, receiving every protocol through a
/// TPACKET_V3 ring and sending through `sendmmsg`.
///
/// Set-up order matters and is fixed here: the socket is opened with protocol 0 (so it
/// queues nothing yet); TPACKET_V3; **PACKET_VNET_HDR before the ring exists** (the kernel
/// refuses it afterwards, and without it a peer's GSO super-packets and partial checksums
/// arrive without the header that describes them); PACKET_IGNORE_OUTGOING (frames this host
/// sends on the link are not ours to receive); the ring and its one mapping; bind to the
/// ifindex with ETH_P_ALL; and promiscuity as a PACKET_MR_PROMISC *membership*, which the
/// kernel drops with the socket, so a crashed daemon leaves no promiscuous interface.
///
/// Owns the descriptor, the ring mapping and the transmit slots; all are released on deinit.
/// Not `Sendable`: one thread (the daemon's loop) receives and sends.
public final class PacketSocket {
    private let descriptor: OwnedDescriptor
    /// The socket (owned by this object), for epoll: readable when a block is ready.
    public var fd: Int32 { descriptor.raw }
    /// The interface this socket is bound to.
    public let ifindex: Int32
    public let geometry: PacketRingGeometry
    /// The receive ring: `geometry.byteCount` bytes, mapped until deinit.
    let ring: UnsafeMutableRawPointer
    /// The block the kernel fills next; blocks are returned strictly in order.
    var nextBlock = 0
    /// Transmit slots and their staging state (see PacketSocket+Transmit.swift).
    let transmit: PacketTransmitSlots

    /// Opens and configures the socket on `ifindex` (which must exist: ENODEV otherwise).
    /// `transmitSlotSize` bytes per transmit slot (the largest frame the caller will send),
    /// `transmitBatch` slots (at most 64). Needs CAP_NET_RAW.
    public init(
        ifindex: Int32, geometry: PacketRingGeometry = PacketRingGeometry(), transmitSlotSize: Int,
        transmitBatch: Int = Int(CEXO_PACKET_MAX_BATCH)
    ) throws(SystemError) {
        guard ifindex > 0, geometry.blockSize % Int(getpagesize()) == 0, geometry.blockCount > 0,
            (1...Int(CEXO_PACKET_MAX_BATCH)).contains(transmitBatch), transmitSlotSize >= 14
        else { throw SystemError(operation: "PacketSocket geometry", errno: EINVAL) }
        let socket = OwnedDescriptor(adopting: try Syscall.retrying("socket(AF_PACKET)") {
            Glibc.socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        })
        let fd = socket.raw
        try Self.set(fd, CEXO_PACKET_VERSION, Int32(CEXO_TPACKET_V3), "PACKET_VERSION")
        try Self.set(fd, CEXO_PACKET_VNET_HDR, 1, "PACKET_VNET_HDR")
        try Self.set(fd, CEXO_PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING")
        var request = tpacket_req3()
        request.tp_block_size = UInt32(geometry.blockSize)
        request.tp_block_nr = UInt32(geometry.blockCount)
        request.tp_frame_size = UInt32(PacketRingGeometry.nominalFrameSize)
        request.tp_frame_nr = UInt32(geometry.byteCount / PacketRingGeometry.nominalFrameSize)
        request.tp_retire_blk_tov = geometry.blockTimeoutMilliseconds
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
        transmit = PacketTransmitSlots(slotSize: transmitSlotSize, count: transmitBatch)
    }

    deinit {
        munmap(ring, geometry.byteCount)
    }

    /// Frames the kernel queued into the ring and frames it dropped because the ring was
    /// full, since the previous call (PACKET_STATISTICS resets them on read).
    public func takeStatistics() throws(SystemError) -> (packets: UInt32, drops: UInt32) {
        var stats = tpacket_stats_v3()
        var length = socklen_t(MemoryLayout<tpacket_stats_v3>.size)
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
