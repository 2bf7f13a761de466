// The virtio-net header the kernel writes before each frame on a PACKET_VNET_HDR socket: how
// the peer offloaded the frame (GSO type and segment size, partial checksum). Parse, check, emit.

/// The 10-byte `struct virtio_net_hdr` (no `num_buffers`), a value copied out of the bytes.
///
/// Multi-byte fields are little-endian: a packet socket writes them in the host's order
/// (`vio_le()`), and the daemon runs on little-endian hosts (x86-64, arm64).
public struct VirtioNetHeader: Hashable, Sendable {
    /// Byte offsets of the fields.
    public enum Field {
        public static let flags = 0
        public static let gsoType = 1
        public static let headerLength = 2..<4
        public static let gsoSize = 4..<6
        public static let checksumStart = 6..<8
        public static let checksumOffset = 8..<10
    }
    /// Bytes in the header.
    public static let length = 10

    /// `VIRTIO_NET_HDR_F_*`.
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The transport checksum field holds only the pseudo-header sum: complete it from
        /// `checksumStart` to the end (`NEEDS_CSUM`).
        public static let needsChecksum = Flags(rawValue: 1)
        /// The checksum was verified by the sender's side (`DATA_VALID`).
        public static let dataValid = Flags(rawValue: 2)
        /// Every flag a packet socket may set.
        public static let known: Flags = [.needsChecksum, .dataValid]
    }

    /// `VIRTIO_NET_HDR_GSO_*` without the ECN bit.
    public enum GSOType: UInt8, Hashable, Sendable {
        case none = 0
        case tcpv4 = 1
        /// UFO: IP fragmentation of a UDP datagram (refused).
        case udp = 3
        case tcpv6 = 4
        /// UDP_SEGMENT: one UDP datagram per segment.
        case udpL4 = 5
    }
    /// The ECN bit of the GSO type: TCP whose first segment carries CWR.
    public static let ecnBit: UInt8 = 0x80

    public var flags: Flags
    public var gsoType: GSOType
    public var ecn: Bool
    /// `hdr_len`: the kernel writes the length of the socket buffer's linear part here, which
    /// may extend past the headers: only a hint, checked to lie within the frame.
    public var headerLength: UInt16
    /// Payload bytes per segment.
    public var gsoSize: UInt16
    /// Offset from the start of the frame (Ethernet header) where checksumming starts.
    public var checksumStart: UInt16
    /// Offset of the checksum field from `checksumStart`.
    public var checksumOffset: UInt16

    public init(
        flags: Flags = [], gsoType: GSOType = .none, ecn: Bool = false, headerLength: UInt16 = 0, gsoSize: UInt16 = 0,
        checksumStart: UInt16 = 0, checksumOffset: UInt16 = 0
    ) {
        self.flags = flags
        self.gsoType = gsoType
        self.ecn = ecn
        self.headerLength = headerLength
        self.gsoSize = gsoSize
        self.checksumStart = checksumStart
        self.checksumOffset = checksumOffset
    }

    /// Reads the header at the start of `bytes` and checks it against the frame that follows
    /// it (`frameLength` bytes); see `check(frameLength:)`.
    public init(parsing bytes: PacketBytes, frameLength: Int) throws(OffloadFault) {
        guard bytes.count >= Self.length else { throw .truncatedHeader }
        let type = bytes.u8(Field.gsoType)
        guard let gso = GSOType(rawValue: type & ~Self.ecnBit) else { throw .unknownGSOType }
        self.init(
            flags: Flags(rawValue: bytes.u8(Field.flags)), gsoType: gso, ecn: type & Self.ecnBit != 0,
            headerLength: Self.le16(bytes, Field.headerLength.lowerBound), gsoSize: Self.le16(bytes, Field.gsoSize.lowerBound),
            checksumStart: Self.le16(bytes, Field.checksumStart.lowerBound),
            checksumOffset: Self.le16(bytes, Field.checksumOffset.lowerBound))
        try check(frameLength: frameLength)
    }

    /// Checks the fields against each other and against a frame of `frameLength` bytes:
    /// known flags and types, ECN only with TCP, a nonzero segment size for GSO, `hdr_len`
    /// within the frame, and a checksum field inside the frame at an even distance from
    /// where checksumming starts.
    public func check(frameLength: Int) throws(OffloadFault) {
        guard flags.isSubset(of: .known) else { throw .unknownFlags }
        guard !ecn || gsoType == .tcpv4 || gsoType == .tcpv6 else { throw .unknownGSOType }
        guard gsoType == .none || gsoSize > 0 else { throw .zeroSegmentSize }
        guard Int(headerLength) <= frameLength else { throw .headerLengthBeyondFrame }
        if flags.contains(.needsChecksum) {
            // UInt16 fields: the sum cannot overflow an Int.
            guard checksumOffset % 2 == 0, Int(checksumStart) + Int(checksumOffset) + 2 <= frameLength else {
                throw .badChecksumLocation
            }
        }
    }

    /// True when the frame is a GSO super-frame that must be segmented.
    public var isSegmentationOffload: Bool { gsoType != .none }

    /// Writes the header into the first 10 bytes of `bytes` (e.g. an all-zero header before
    /// a frame sent on a PACKET_VNET_HDR socket).
    public func emit(into bytes: MutablePacketBytes) {
        bytes.setU8(Field.flags, flags.rawValue)
        bytes.setU8(Field.gsoType, gsoType.rawValue | (ecn ? Self.ecnBit : 0))
        Self.setLE16(bytes, Field.headerLength.lowerBound, headerLength)
        Self.setLE16(bytes, Field.gsoSize.lowerBound, gsoSize)
        Self.setLE16(bytes, Field.checksumStart.lowerBound, checksumStart)
        Self.setLE16(bytes, Field.checksumOffset.lowerBound, checksumOffset)
    }

    static func le16(_ bytes: PacketBytes, _ offset: Int) -> UInt16 {
        UInt16(bytes.u8(offset)) | UInt16(bytes.u8(offset + 1)) << 8
    }

    static func setLE16(_ bytes: MutablePacketBytes, _ offset: Int, _ value: UInt16) {
        bytes.setU8(offset, UInt8(truncatingIfNeeded: value))
        bytes.setU8(offset + 1, UInt8(truncatingIfNeeded: value >> 8))
    }
}
