// The closed list of reasons a frame from a PACKET_VNET_HDR socket cannot be completed or
// segmented in software. Raw values index counters; names are stable for exoctl.

/// Why the daemon refuses a peer-offloaded frame (the caller drops it and counts the reason).
public enum OffloadFault: UInt8, Error, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Fewer than `VirtioNetHeader.length` bytes of header.
    case truncatedHeader = 0
    /// A flag other than NEEDS_CSUM and DATA_VALID (RSC_INFO is never set on a packet socket).
    case unknownFlags
    /// A GSO type Linux does not define, or the ECN bit without TCP.
    case unknownGSOType
    /// A GSO type this daemon does not segment: TCPv6 and IPv6 datagrams, UFO (`GSO_UDP`).
    case unsupportedGSOType
    /// GSO with a segment size of zero.
    case zeroSegmentSize
    /// `hdr_len` past the end of the frame.
    case headerLengthBeyondFrame
    /// The checksum field (`csum_start + csum_offset`, two bytes) past the frame, at an odd
    /// distance from `csum_start`, or not where the transport header's checksum is.
    case badChecksumLocation
    /// `completeChecksum` was given a GSO frame: it must be segmented instead.
    case needsSegmentation
    /// A GSO frame whose EtherType is not IPv4 (VLAN tags are stripped by the caller first).
    case notIPv4
    /// A GSO frame whose IPv4 header is malformed, is a fragment, or whose total length is
    /// not the frame's.
    case malformedIPv4
    /// The GSO frame's IPv4 header checksum does not verify (segments would launder it).
    case badIPChecksum
    /// The IPv4 protocol is not the one the GSO type segments.
    case protocolMismatch
    /// The TCP or UDP header is malformed, or the UDP length is not the datagram's.
    case malformedTransport
    /// A segment would not fit the maximum frame or the scratch buffer.
    case segmentTooLarge

    /// Stable name for scripts and `exoctl --json`.
    public var name: String {
        switch self {
        case .truncatedHeader: "truncatedHeader"
        case .unknownFlags: "unknownFlags"
        case .unknownGSOType: "unknownGSOType"
        case .unsupportedGSOType: "unsupportedGSOType"
        case .zeroSegmentSize: "zeroSegmentSize"
        case .headerLengthBeyondFrame: "headerLengthBeyondFrame"
        case .badChecksumLocation: "badChecksumLocation"
        case .needsSegmentation: "needsSegmentation"
        case .notIPv4: "notIPv4"
        case .malformedIPv4: "malformedIPv4"
        case .badIPChecksum: "badIPChecksum"
        case .protocolMismatch: "protocolMismatch"
        case .malformedTransport: "malformedTransport"
        case .segmentTooLarge: "segmentTooLarge"
        }
    }

    public var description: String { name }
}
