// TCP options (RFC 9293 §3.1, RFC 7323, RFC 2018): the parser of a header's options area
// and the writer of the options this stack sends, laid out as Linux lays them out so that
// captures of either look alike and middleboxes see the familiar shapes.

/// The option kinds this stack reads or writes, with their fixed lengths.
enum TCPOptionKind {
    static let endOfList: UInt8 = 0
    static let noOperation: UInt8 = 1
    static let maximumSegmentSize: UInt8 = 2
    static let windowScale: UInt8 = 3
    static let sackPermitted: UInt8 = 4
    static let sack: UInt8 = 5
    static let timestamps: UInt8 = 8

    static let maximumSegmentSizeLength = 4
    static let windowScaleLength = 3
    static let sackPermittedLength = 2
    static let timestampsLength = 10
    /// A SACK option is this plus 8 bytes per block.
    static let sackHeaderLength = 2
    static let sackBlockLength = 8
}

/// The options of one segment. Absent options are nil (or false, or no blocks).
public struct TCPOptions: Hashable, Sendable {
    /// The largest segment the sender wants to receive (SYN only).
    public var maximumSegmentSize: UInt16?
    /// The shift the sender applies to the windows it advertises, as received; parsing
    /// clamps values above 14 to 14 (RFC 7323 §2.3).
    public var windowScale: UInt8?
    public var sackPermitted: Bool
    public var timestamps: TCPTimestamps?
    public var sackBlocks: TCPSACKBlocks

    /// The largest shift RFC 7323 allows.
    public static let maximumWindowScale: UInt8 = 14
    /// The most option bytes a header holds (data offset 15 words, minus the fixed 20 bytes).
    public static let maximumLength = 40

    public init() {
        maximumSegmentSize = nil
        windowScale = nil
        sackPermitted = false
        timestamps = nil
        sackBlocks = TCPSACKBlocks()
    }

    /// Parses the options area of a header (`TCPHeader.options`). End-of-list ends it,
    /// no-operation is skipped, unknown kinds with a valid length are skipped; a length
    /// below 2 or past the end, or a known kind with the wrong length, is `.malformed`.
    /// A repeated option replaces the earlier one.
    public init(parsing options: PacketBytes) throws(PacketError) {
        self.init()
        var offset = 0
        while offset < options.count {
            let kind = options.u8(offset)
            if kind == TCPOptionKind.endOfList { break }
            if kind == TCPOptionKind.noOperation {
                offset += 1
                continue
            }
            guard offset + 1 < options.count else { throw .malformed }
            let length = Int(options.u8(offset + 1))
            guard length >= 2, length <= options.count - offset else { throw .malformed }
            try read(kind: kind, body: options.slice(offset + 2, length - 2))
            offset += length
        }
    }

    /// Reads one option's body (the bytes after kind and length).
    private mutating func read(kind: UInt8, body: PacketBytes) throws(PacketError) {
        switch kind {
        case TCPOptionKind.maximumSegmentSize:
            guard body.count == TCPOptionKind.maximumSegmentSizeLength - 2 else { throw .malformed }
            maximumSegmentSize = body.u16(0)
        case TCPOptionKind.windowScale:
            guard body.count == TCPOptionKind.windowScaleLength - 2 else { throw .malformed }
            windowScale = min(body.u8(0), Self.maximumWindowScale)
        case TCPOptionKind.sackPermitted:
            guard body.count == TCPOptionKind.sackPermittedLength - 2 else { throw .malformed }
            sackPermitted = true
        case TCPOptionKind.timestamps:
            guard body.count == TCPOptionKind.timestampsLength - 2 else { throw .malformed }
            timestamps = TCPTimestamps(value: body.u32(0), echoReply: body.u32(4))
        case TCPOptionKind.sack:
            let blockCount = body.count / TCPOptionKind.sackBlockLength
            guard body.count % TCPOptionKind.sackBlockLength == 0, (1...TCPSACKBlocks.capacity).contains(blockCount)
            else { throw .malformed }
            sackBlocks.removeAll()
            for index in 0..<blockCount {
                let at = index * TCPOptionKind.sackBlockLength
                sackBlocks.append(
                    TCPSACKBlock(start: TCPSequenceNumber(body.u32(at)), end: TCPSequenceNumber(body.u32(at + 4))))
            }
        default:
            break  // Unknown kinds are skipped by their length (RFC 9293 §3.1).
        }
    }
}

// MARK: - Writing

extension TCPOptions {
    // The layout, in 32-bit words as Linux writes them (every option starts word-aligned
    // data, so TSval/TSecr and the SACK edges are 4-byte aligned in the header):
    //   MSS                  02 04 mm mm
    //   SACK-permitted + TS  04 02 08 0a  TSval  TSecr      (or 01 01 08 0a without SACK-permitted)
    //   SACK-permitted only  01 01 04 02
    //   window scale         01 03 03 ws
    //   SACK blocks          01 01 05 len  (start end)×n
    static let emittedMSSLength = 4
    static let emittedTimestampsLength = 12
    static let emittedSACKPermittedLength = 4
    static let emittedWindowScaleLength = 4
    static let emittedSACKHeaderLength = 4

    /// Bytes of everything but the SACK blocks.
    private var lengthBeforeSACKBlocks: Int {
        var length = 0
        if maximumSegmentSize != nil { length += Self.emittedMSSLength }
        if timestamps != nil {
            length += Self.emittedTimestampsLength
        } else if sackPermitted {
            length += Self.emittedSACKPermittedLength
        }
        if windowScale != nil { length += Self.emittedWindowScaleLength }
        return length
    }

    /// How many of `sackBlocks` emit writes: as many as fit in the 40 bytes after the
    /// other options (at least 2 always do: the other options take at most 20 bytes).
    public var emittedSACKBlockCount: Int {
        guard !sackBlocks.isEmpty else { return 0 }
        let room = Self.maximumLength - lengthBeforeSACKBlocks - Self.emittedSACKHeaderLength
        return Swift.min(sackBlocks.count, Swift.max(room, 0) / TCPOptionKind.sackBlockLength)
    }

    /// Bytes emit writes: a multiple of 4, at most 40 (SACK blocks that do not fit after
    /// the other options are left out, the last ones first).
    public var encodedLength: Int {
        let blocks = emittedSACKBlockCount
        let sackLength = blocks == 0 ? 0 : Self.emittedSACKHeaderLength + blocks * TCPOptionKind.sackBlockLength
        return lengthBeforeSACKBlocks + sackLength
    }

    /// Writes the options at the start of `bytes` (NOP-padded for alignment as Linux does:
    /// NOP,NOP,TS; NOP,NOP,SACK; NOP,WS) and returns `encodedLength`.
    /// `bytes` must hold at least `encodedLength` bytes.
    @discardableResult
    public func emit(into bytes: MutablePacketBytes) -> Int {
        var out = OptionWriter(bytes: bytes)
        let nop = TCPOptionKind.noOperation
        if let mss = maximumSegmentSize {
            out.word(TCPOptionKind.maximumSegmentSize, 4, UInt8(mss >> 8), UInt8(truncatingIfNeeded: mss))
        }
        if let timestamps {
            // SACK-permitted rides in the two bytes that would otherwise be NOPs.
            if sackPermitted {
                out.word(TCPOptionKind.sackPermitted, 2, TCPOptionKind.timestamps, 10)
            } else {
                out.word(nop, nop, TCPOptionKind.timestamps, 10)
            }
            out.value(timestamps.value)
            out.value(timestamps.echoReply)
        } else if sackPermitted {
            out.word(nop, nop, TCPOptionKind.sackPermitted, 2)
        }
        if let windowScale {
            out.word(nop, TCPOptionKind.windowScale, 3, windowScale)
        }
        let blocks = emittedSACKBlockCount
        if blocks > 0 {
            let length = TCPOptionKind.sackHeaderLength + blocks * TCPOptionKind.sackBlockLength
            out.word(nop, nop, TCPOptionKind.sack, UInt8(length))
            for block in sackBlocks.prefix(blocks) {
                out.value(block.start.rawValue)
                out.value(block.end.rawValue)
            }
        }
        return out.offset
    }
}

/// Writes 32-bit words one after another (every option this stack writes fills whole words).
private struct OptionWriter {
    let bytes: MutablePacketBytes
    var offset = 0

    mutating func word(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    mutating func value(_ number: UInt32) {
        bytes.setU32(offset, number)
        offset += 4
    }
}
