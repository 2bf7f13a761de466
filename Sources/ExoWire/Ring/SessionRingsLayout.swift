// The four rings of one tenant session (fill, rx, tx, completion) placed in one region the
// daemon creates; versioned, so the hello can name the layout both sides compute.

/// The four rings of a session and who produces on each.
public enum RingKind: UInt8, CaseIterable, Sendable {
    /// Tenant → daemon: empty frames the daemon may receive into.
    case fill = 0
    /// Daemon → tenant: received packets, `(frame, length)`.
    case rx = 1
    /// Tenant → daemon: packets to send, `(frame, length)`.
    case tx = 2
    /// Daemon → tenant: frames whose transmission is over, handed back.
    case completion = 3

    /// The side that writes descriptors and the producer index.
    public var producer: RingParty {
        switch self {
        case .fill, .tx: .tenant
        case .rx, .completion: .daemon
        }
    }

    /// The side that reads descriptors and writes the consumer index and flags.
    public var consumer: RingParty { producer == .tenant ? .daemon : .tenant }
}

/// One end of a session's rings.
public enum RingParty: Sendable {
    /// The library OS; hostile to the daemon.
    case tenant
    /// `exokerneld`.
    case daemon
}

/// Where a session's four rings lie in its shared region: in `RingKind` order, each ring at
/// a page boundary, the whole region a whole number of pages. Both sides compute this from
/// the version and capacities the hello carries; the region holds no header of its own.
public struct SessionRingsLayout: Equatable, Hashable, Sendable {
    /// The layout this code builds (the one `RingField` describes).
    public static let currentVersion: UInt16 = 1
    /// Alignment of each ring and of the region's size.
    public static let pageSize = 4096

    public let version: UInt16
    public let fill: RingLayout
    public let rx: RingLayout
    public let tx: RingLayout
    public let completion: RingLayout

    /// A layout with these capacities (each a power of two in `RingLayout.capacityRange`).
    public init(
        version: UInt16 = Self.currentVersion, fill: UInt32, rx: UInt32, tx: UInt32, completion: UInt32
    ) throws(RingLayoutError) {
        guard version == Self.currentVersion else { throw .unsupportedVersion(version) }
        self.version = version
        self.fill = try RingLayout(capacity: fill)
        self.rx = try RingLayout(capacity: rx)
        self.tx = try RingLayout(capacity: tx)
        self.completion = try RingLayout(capacity: completion)
    }

    /// A layout whose four rings all have `capacity` slots.
    public init(version: UInt16 = Self.currentVersion, capacity: UInt32) throws(RingLayoutError) {
        try self.init(version: version, fill: capacity, rx: capacity, tx: capacity, completion: capacity)
    }

    /// The geometry of one ring.
    public func ring(_ kind: RingKind) -> RingLayout {
        switch kind {
        case .fill: fill
        case .rx: rx
        case .tx: tx
        case .completion: completion
        }
    }

    /// Byte offset of one ring from the region's start (a multiple of `pageSize`): the
    /// page-rounded sizes of the rings before it, in `RingKind` order.
    public func offset(of kind: RingKind) -> Int {
        RingKind.allCases.prefix(while: { $0 != kind }).reduce(0) { $0 + Self.pages(ring($1)) }
    }

    /// Bytes the region needs: a multiple of `pageSize`.
    public var byteCount: Int { RingKind.allCases.reduce(0) { $0 + Self.pages(ring($1)) } }

    /// Writes all four rings fresh (indices at `startIndex`, everything else zero) into the
    /// region at `unsafeRegion`: page-aligned, at least `byteCount` bytes, mapped. Done once
    /// by the daemon before the region's fd leaves it.
    public func initialize(unsafeRegion: UnsafeMutableRawPointer, startIndex: UInt32 = 0) {
        for kind in RingKind.allCases {
            _ = RingMemory.initialize(
                unsafeBase: unsafeRegion + offset(of: kind), layout: ring(kind), startIndex: startIndex)
        }
    }

    /// One ring of the region at `unsafeRegion` (initialized, mapped, at least `byteCount`
    /// bytes, outliving the returned value and every end made from it).
    public func memory(of kind: RingKind, unsafeRegion: UnsafeMutableRawPointer) -> RingMemory {
        RingMemory(unsafeBase: unsafeRegion + offset(of: kind), layout: ring(kind))
    }

    /// A ring's size rounded up to whole pages.
    private static func pages(_ ring: RingLayout) -> Int {
        (ring.byteCount + pageSize - 1) / pageSize * pageSize
    }
}
