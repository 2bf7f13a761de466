// Seeded filters and frames made from each other: filters drawn from a few shapes per
// binding, and frames built to satisfy one filter, then often nudged into a near miss.
import ExoCore
import ExoWire
import ExoPacket

struct RandomFilters {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(state: seed) }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func pick<T>(_ values: [T]) -> T { values[int(0..<values.count)] }

    /// An atom of one of a few shapes (so filters share trie paths), with values from small
    /// pools (so frames often match several filters), or on a field the binding fixes with
    /// the binding's own value (redundant, accepted).
    mutating func atom(for target: BindingTarget) -> FilterAtom {
        switch int(0..<9) {
        case 0: return FilterAtom(.transport, offset: 0, width: 2, value: UInt32(pick([5000, 5001, 6000, 53])))
        case 1: return FilterAtom(.transport, offset: 8, width: 1, value: UInt32(pick([0x41, 0x42, 0x43])))
        case 2: return FilterAtom(.transport, offset: 8, width: 2, mask: 0x0FF0, value: UInt32(pick([0x0410, 0x0420])))
        case 3: return FilterAtom(.network, offset: 12, width: 4, mask: 0xFFFF_FF00, value: Net.gateway.rawValue & 0xFFFF_FF00)
        case 4: return FilterAtom(.network, offset: 1, width: 1, mask: 0xFC, value: UInt32(pick([0, 0x20, 0xB8])))
        case 5: return FilterAtom(.link, offset: 6, width: 4, value: pick([0x3A1F_6C90, 0x0200_0000]))
        case 6: return FilterAtom(.transport, offset: 9, width: 1, mask: 0x01, value: UInt32(int(0..<2)))
        case 7: return FilterAtom(.link, offset: 12, width: 2, value: 0x0800)
        default:
            switch target {
            case .endpoint(let e) where e.proto == .icmp:
                // The echo identifier the binding fixes.
                return FilterAtom(.transport, offset: 4, width: 2, value: UInt32(e.port))
            case .endpoint(let e): return FilterAtom(.transport, offset: 2, width: 2, value: UInt32(e.port))
            case .address(let a): return FilterAtom(.network, offset: 16, width: 4, value: a.rawValue)
            }
        }
    }

    mutating func filter(for target: BindingTarget) -> [FilterAtom] {
        (0..<int(1..<4)).map { _ in atom(for: target) }
    }

    /// A UDP frame from the gateway to `target` (a random port for an address binding), with
    /// 12 random payload bytes and, sometimes, IP options that move the transport header.
    mutating func frame(to target: BindingTarget) -> [UInt8] {
        if case .endpoint(let e) = target, e.proto == .icmp {
            // An echo reply to the identifier, with 12 random data bytes after the 8-byte header.
            var frame = Frames.echo(request: false, from: Net.gateway, to: e.address, id: e.port)
            frame.removeLast(16)
            frame += (0..<12).map { _ in UInt8(int(0..<256)) }
            Self.fixLengths(&frame)
            if chance(15) { Self.addOptions(&frame, words: int(1..<3)) }
            return frame
        }
        let (address, port): (IPv4Address, UInt16) = switch target {
        case .endpoint(let e): (e.address, e.port)
        case .address(let a): (a, UInt16(int(1..<60_000)))
        }
        var frame = Frames.udp(from: Net.gateway, pick([5000, 5001, 6000, 7]), to: address, port)
        frame.removeLast(2)  // Frames.udp carries "hi": replace it with 12 random bytes.
        frame += (0..<12).map { _ in UInt8(int(0..<256)) }
        Self.fixLengths(&frame)
        if chance(15) { Self.addOptions(&frame, words: int(1..<3)) }
        return frame
    }

    /// Writes each atom's value into `frame` (under its mask) where the frame has room.
    static func satisfy(_ atoms: [FilterAtom], _ frame: inout [UInt8]) {
        for atom in atoms {
            guard let start = FilterOracle.start(atom.base, frame) else { continue }
            let first = start + Int(atom.offset)
            guard first + Int(atom.width) <= frame.count else { continue }
            for i in 0..<Int(atom.width) {
                let shift = UInt32(8 * (Int(atom.width) - 1 - i))
                let mask = UInt8(truncatingIfNeeded: atom.mask >> shift)
                let value = UInt8(truncatingIfNeeded: atom.value >> shift)
                frame[first + i] = (frame[first + i] & ~mask) | value
            }
        }
    }

    /// One of: exact (untouched), one masked bit of an atom flipped, truncated, IP options
    /// added, or a random bit anywhere flipped.
    mutating func nearMiss(_ atoms: [FilterAtom], _ frame: inout [UInt8]) {
        switch int(0..<10) {
        case 0, 1, 2, 3: return
        case 4, 5:
            let atom = pick(atoms)
            guard atom.mask != 0, let start = FilterOracle.start(atom.base, frame) else { return }
            var bit = int(0..<32)
            while atom.mask & (1 << UInt32(bit)) == 0 { bit = (bit + 1) % 32 }
            let byte = start + Int(atom.offset) + Int(atom.width) - 1 - bit / 8
            if byte < frame.count { frame[byte] ^= UInt8(1 << (bit % 8)) }
        case 6: frame.removeLast(int(1..<min(frame.count, 40)))
        case 7: Self.addOptions(&frame, words: int(1..<3))
        default:
            let index = int(0..<frame.count)
            frame[index] ^= UInt8(1 << int(0..<8))
        }
    }

    /// Inserts `words` 4-byte words of NOP options after the 20-byte IPv4 header.
    static func addOptions(_ frame: inout [UInt8], words: Int) {
        guard frame.count >= 34, frame[14] == 0x45 else { return }
        frame.insert(contentsOf: [UInt8](repeating: 1, count: 4 * words), at: 34)
        frame[14] = 0x40 | UInt8(5 + words)
        fixLengths(&frame)
    }

    /// Recomputes the IPv4 total length and, for UDP, the UDP length (checksum 0: none);
    /// then every checksum (`fixChecksums`).
    static func fixLengths(_ frame: inout [UInt8]) {
        let ihl = Int(frame[14] & 0x0F) * 4
        let total = frame.count - 14
        frame[16] = UInt8(total >> 8)
        frame[17] = UInt8(total & 0xFF)
        if frame[23] == 17 {
            let udp = total - ihl
            frame[14 + ihl + 4] = UInt8(udp >> 8)
            frame[14 + ihl + 5] = UInt8(udp & 0xFF)
            frame[14 + ihl + 6] = 0
            frame[14 + ihl + 7] = 0
        }
        fixChecksums(&frame)
    }

    /// The IPv4 header checksum and, for ICMP, the ICMP checksum (UDP carries none here).
    static func fixChecksums(_ frame: inout [UInt8]) {
        fixChecksum(&frame)
        let ihl = Int(frame[14] & 0x0F) * 4
        guard frame[23] == 1, frame.count >= 14 + ihl + 4 else { return }
        let start = 14 + ihl
        frame[start + 2] = 0
        frame[start + 3] = 0
        var sum: UInt32 = 0
        var i = start
        while i < frame.count {
            sum += UInt32(frame[i]) << 8 | (i + 1 < frame.count ? UInt32(frame[i + 1]) : 0)
            i += 2
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        frame[start + 2] = UInt8(checksum >> 8)
        frame[start + 3] = UInt8(checksum & 0xFF)
    }

    static func fixChecksum(_ frame: inout [UInt8]) {
        let ihl = Int(frame[14] & 0x0F) * 4
        guard ihl >= 20, frame.count >= 14 + ihl else { return }
        frame[24] = 0
        frame[25] = 0
        var sum: UInt32 = 0
        for i in stride(from: 14, to: 14 + ihl, by: 2) { sum += UInt32(frame[i]) << 8 | UInt32(frame[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = ~UInt16(sum)
        frame[24] = UInt8(checksum >> 8)
        frame[25] = UInt8(checksum & 0xFF)
    }
}
