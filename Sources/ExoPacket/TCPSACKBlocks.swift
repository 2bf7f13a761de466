// The values TCP options carry that are more than one number: SACK blocks (RFC 2018) and
// timestamps (RFC 7323). SACK blocks sit in fixed inline storage so a parsed or emitted
// segment never allocates.

/// One SACK block: the peer holds `[start, end)`.
public struct TCPSACKBlock: Hashable, Sendable {
    public var start: TCPSequenceNumber
    /// The first number after the block.
    public var end: TCPSequenceNumber

    @inlinable public init(start: TCPSequenceNumber, end: TCPSequenceNumber) {
        self.start = start
        self.end = end
    }
}

/// The timestamps option (RFC 7323 §3): the sender's clock and the echo of the peer's.
public struct TCPTimestamps: Hashable, Sendable {
    /// TSval.
    public var value: UInt32
    /// TSecr.
    public var echoReply: UInt32

    @inlinable public init(value: UInt32, echoReply: UInt32) {
        self.value = value
        self.echoReply = echoReply
    }
}

/// Up to 4 SACK blocks stored inline (no allocation): 4 is the most a 40-byte options area
/// can hold (2 + 4 × 8 = 34 bytes).
public struct TCPSACKBlocks: Hashable, Sendable, RandomAccessCollection {
    public static let capacity = 4

    /// Slots past `count` hold zero blocks, so the synthesized parts never see stale values.
    private var storage: (TCPSACKBlock, TCPSACKBlock, TCPSACKBlock, TCPSACKBlock)
    public private(set) var count: Int

    public init() {
        let empty = TCPSACKBlock(start: TCPSequenceNumber(0), end: TCPSequenceNumber(0))
        storage = (empty, empty, empty, empty)
        count = 0
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(index: Int) -> TCPSACKBlock {
        get {
            precondition(index >= 0 && index < count, "SACK block index out of range")
            switch index {
            case 0: return storage.0
            case 1: return storage.1
            case 2: return storage.2
            default: return storage.3
            }
        }
        set {
            precondition(index >= 0 && index < count, "SACK block index out of range")
            set(index, newValue)
        }
    }

    private mutating func set(_ index: Int, _ block: TCPSACKBlock) {
        switch index {
        case 0: storage.0 = block
        case 1: storage.1 = block
        case 2: storage.2 = block
        default: storage.3 = block
        }
    }

    /// Adds `block` at the end; false (and no change) when all `capacity` slots are used.
    @discardableResult
    public mutating func append(_ block: TCPSACKBlock) -> Bool {
        guard count < Self.capacity else { return false }
        count += 1
        set(count - 1, block)
        return true
    }

    /// Keeps only the first `length` blocks.
    public mutating func removeAll(after length: Int) {
        precondition(length >= 0, "negative SACK block count")
        while count > length {
            set(count - 1, TCPSACKBlock(start: TCPSequenceNumber(0), end: TCPSequenceNumber(0)))
            count -= 1
        }
    }

    public mutating func removeAll() { removeAll(after: 0) }

    public static func == (lhs: TCPSACKBlocks, rhs: TCPSACKBlocks) -> Bool {
        lhs.elementsEqual(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for block in self { hasher.combine(block) }
    }
}

extension TCPSACKBlocks: CustomStringConvertible {
    public var description: String {
        "[" + map { "\($0.start)-\($0.end)" }.joined(separator: ", ") + "]"
    }
}
