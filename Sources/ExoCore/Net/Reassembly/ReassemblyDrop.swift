// The closed list of reasons the reassembler drops a fragment or a whole datagram, and the
// results it returns. Raw values index counters; names are stable for exoctl.
import ExoWire
import ExoPacket

/// Why the reassembler dropped a fragment or a datagram.
public enum ReassemblyDrop: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not a checked IPv4 fragment (the caller passed a frame the demultiplexer did not
    /// classify for reassembly).
    case notAFragment = 0
    /// The fragment overlaps part of what arrived before: the whole datagram is dropped
    /// (no overlap games: nobody gets to choose which copy wins).
    case overlap
    /// The fragment repeats a range already held, with different bytes: datagram dropped.
    case conflictingDuplicate
    /// An exact repeat of a range already held: only this fragment is dropped.
    case duplicate
    /// Lengths that contradict each other: empty fragment, a non-last fragment not a multiple
    /// of 8 bytes, data past the end a last fragment set, or a second, different end.
    case inconsistentLength
    /// The datagram would be larger than the maximum frame (or than IPv4 allows).
    case tooLarge
    /// A fragment of a datagram already dropped, until that datagram's timeout.
    case afterDrop
    /// A datagram still incomplete at its deadline.
    case timedOut
    /// A datagram removed to make room (concurrent datagrams or bytes held at their cap).
    case evicted

    /// Stable name for scripts and `exoctl --json`.
    public var name: String {
        switch self {
        case .notAFragment: "notAFragment"
        case .overlap: "overlap"
        case .conflictingDuplicate: "conflictingDuplicate"
        case .duplicate: "duplicate"
        case .inconsistentLength: "inconsistentLength"
        case .tooLarge: "tooLarge"
        case .afterDrop: "afterDrop"
        case .timedOut: "timedOut"
        case .evicted: "evicted"
        }
    }

    public var description: String { name }
}

/// What became of one fragment.
public enum ReassemblyResult: Hashable, Sendable {
    /// Held; the datagram still misses pieces.
    case incomplete
    /// The datagram is whole: an Ethernet frame of `length` bytes was written to the output.
    case complete(length: Int)
    /// Dropped (and counted) for this reason.
    case drop(ReassemblyDrop)
}

/// What identifies a datagram's fragments (RFC 791: source, destination, protocol, id).
public struct ReassemblyKey: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var `protocol`: UInt8
    public var identification: UInt16

    public init(source: IPv4Address, destination: IPv4Address, protocol proto: UInt8, identification: UInt16) {
        self.source = source
        self.destination = destination
        self.protocol = proto
        self.identification = identification
    }
}

/// The reassembler's bounds.
public struct ReassemblyLimits: Hashable, Sendable {
    /// Datagrams held at once (partial or dropped-awaiting-timeout).
    public var maximumDatagrams: Int
    /// Fragment payload bytes held across all datagrams (at least one maximum frame).
    public var maximumBytes: Int
    /// How long a datagram may take from its first fragment to its last.
    public var timeoutNanoseconds: UInt64
    /// The largest reassembled Ethernet frame (the frame size): larger datagrams are dropped.
    public var maximumFrame: Int
    /// Datagrams one owner (the tenant charged for them) may hold at once; at the bound, its
    /// own oldest datagram makes room, never another owner's.
    public var maximumDatagramsPerOwner: Int
    /// Owners are `0..<owners` (tenant ids); any other owner value is the unattributed owner.
    public var owners: Int

    public init(
        maximumDatagrams: Int, maximumBytes: Int, timeoutNanoseconds: UInt64, maximumFrame: Int,
        maximumDatagramsPerOwner: Int = .max, owners: Int = 0
    ) {
        self.maximumDatagrams = max(1, maximumDatagrams)
        self.maximumDatagramsPerOwner = max(1, maximumDatagramsPerOwner)
        self.owners = max(0, owners)
        self.maximumFrame = min(max(maximumFrame, Reassembler.minimumFrame), Reassembler.maximumFrameLimit)
        self.maximumBytes = max(maximumBytes, self.maximumFrame)
        self.timeoutNanoseconds = timeoutNanoseconds
    }
}
