// Datagrams cut into fragments as a sender would (RFC 791: offsets in 8-byte units, the first
// fragment carrying the options), and a reassembler driven over them with an output buffer.
import ExoCore
import ExoWire
import ExoPacket

enum Fragmenter {
    /// A UDP frame from the gateway to A's share port with `count` payload bytes, DF clear
    /// (what a reassembled datagram looks like), with `options` in its header.
    static func datagram(_ count: Int, id: UInt16 = 0x7777, options: [UInt8] = [], from source: IPv4Address = Net.gateway,
        to destination: IPv4Address = Net.shared, port: UInt16 = 1500) -> [UInt8] {
        let data = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(id)) }
        var frame = Frames.ipv4(.udp, from: source, to: destination, payload: Frames.udpSegment(from: source, 5000, to: destination, port, data: data))
        frame = Frames.editIP(frame) {
            $0.setU16(6, 0)
            $0.setU16(4, id)
        }
        return options.isEmpty ? frame : Frames.withIPOptions(frame, options)
    }

    /// The IPv4 payload cut at `cuts` (payload offsets, multiples of 8), one frame per piece;
    /// only the first keeps the header's options.
    static func fragments(of frame: [UInt8], cuts: [Int]) -> [[UInt8]] {
        let ihl = Int(frame[14] & 0x0F) * 4
        let payload = Array(frame[(14 + ihl)...])
        let bounds = [0] + cuts + [payload.count]
        return (0..<(bounds.count - 1)).map { index in
            piece(of: frame, ihl: ihl, payload: payload, from: bounds[index], to: bounds[index + 1],
                more: index < bounds.count - 2)
        }
    }

    /// One fragment carrying payload bytes `from..<to` of `frame`.
    static func piece(of frame: [UInt8], ihl: Int, payload: [UInt8], from: Int, to: Int, more: Bool) -> [UInt8] {
        let headerLength = from == 0 ? ihl : 20
        var header = Array(frame[14..<34])
        if from == 0 { header = Array(frame[14..<(14 + ihl)]) }
        header[0] = UInt8(0x40 | headerLength / 4)
        let fragment = Array(frame[0..<14]) + header + payload[from..<to]
        return Frames.editIP(fragment) {
            $0.setU16(2, UInt16(headerLength + to - from))
            $0.setU16(6, (more ? 0x2000 : 0) | UInt16(from / 8))
        }
    }

    /// Cuts a payload of `count` bytes into pieces of `size` (a multiple of 8).
    static func cuts(_ count: Int, size: Int) -> [Int] { Array(stride(from: size, to: count, by: size)) }
}

/// A reassembler under test, its output buffer and a clock.
final class ReassemblyRig {
    let reassembler: Reassembler
    var output: [UInt8]
    var now: UInt64 = 1_000
    var completed: [[UInt8]] = []

    init(
        datagrams: Int = 8, bytes: Int = 1 << 20, timeout: UInt64 = 1_000_000, maximumFrame: Int = 4096, owners: Int = 0,
        perOwner: Int = .max
    ) {
        reassembler = Reassembler(limits: ReassemblyLimits(
            maximumDatagrams: datagrams, maximumBytes: bytes, timeoutNanoseconds: timeout, maximumFrame: maximumFrame,
            maximumDatagramsPerOwner: perOwner, owners: owners))
        output = [UInt8](repeating: 0xEE, count: maximumFrame)
    }

    @discardableResult
    func add(_ fragment: [UInt8], owner: UInt32 = .max) -> ReassemblyResult {
        let result = fragment.withUnsafeBytes { raw in
            output.withUnsafeMutableBytes { out in
                reassembler.add(
                    PacketBytes(unsafeBuffer: raw), now: now, owner: owner, into: MutablePacketBytes(unsafeBuffer: out))
            }
        }
        if case .complete(let length) = result { completed.append(Array(output.prefix(length))) }
        return result
    }

    @discardableResult
    func addAll(_ fragments: [[UInt8]]) -> [ReassemblyResult] { fragments.map { add($0) } }

    func count(_ reason: ReassemblyDrop) -> UInt64 { reassembler.count(reason) }
}
