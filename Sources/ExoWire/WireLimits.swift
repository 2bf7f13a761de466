// The protocol's fixed numbers: magic, versions, size and count limits, feature bits and
// peer roles. Every limit a decoder or encoder enforces is named here once.

/// Constants of the control protocol (docs/PROTOCOL.md, "Limits").
public enum WireLimits {
    /// First four bytes of every record: "EXOK" read as a little-endian `UInt32`.
    public static let magic: UInt32 = 0x4B4F_5845
    /// Bytes in the fixed header that precedes every body.
    public static let headerSize = 16
    /// Oldest protocol version this codec speaks.
    public static let minVersion: UInt16 = 1
    /// Newest protocol version this codec speaks.
    public static let maxVersion: UInt16 = 1
    /// Largest record, header included. Larger records are refused by encode and decode.
    public static let maxMessageSize = 65_536
    /// Most file descriptors one record may carry (the kernel's SCM_RIGHTS limit).
    public static let maxDescriptorsPerMessage = 253
    /// Most frames in one allocate, allocateAny, unref or map request (and its reply).
    public static let maxBatch = 253
    /// Most entries in one listing page (and the largest `Page.limit`).
    public static let maxPageSize = 512
    /// Longest capability token, in bytes.
    public static let maxTokenSize = 256
    /// Longest name (tenant names, audiences), in UTF-8 bytes.
    public static let maxNameSize = 255
    /// Longest free text (error detail, daemon version), in UTF-8 bytes.
    public static let maxTextSize = 1_024
    /// Most elements of a list that has no tighter limit (the UInt16 count's range).
    public static let maxListCount = Int(UInt16.max)
    /// `HelloAccepted.tenantID` of an operator session, which is no tenant.
    public static let noTenant: TenantID = 0xFFFF_FFFF
}

/// Optional protocol features. A hello offers a set; the daemon answers with the
/// intersection of the offer and what it supports. None are defined yet; unknown bits are
/// carried, not rejected, so that newer peers can offer them.
public struct FeatureBits: OptionSet, Sendable, Hashable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
}

/// Who is attaching: a tenant (names itself in the hello) or an operator (root or the
/// operator group; inspects the daemon, holds no frames).
public enum PeerRole: UInt8, Sendable, CaseIterable {
    case tenant = 1
    case `operator` = 2
}
