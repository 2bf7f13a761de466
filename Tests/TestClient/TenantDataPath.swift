// The test client's data path: the region the daemon sent, mapped, with the tenant's ends of
// the four rings, and raw Ethernet/IPv4/UDP frames built and parsed by hand for the tests.

import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

/// A tenant's side of its rings. Owns the region mapping and both eventfds.
final class TenantDataPath {
    let info: DataPathInfo
    let region: MappedMemory
    let daemonToTenant: EventFD
    let tenantToDaemon: EventFD
    var fill: RingProducer
    var tx: RingProducer
    var rx: RingConsumer
    var completion: RingConsumer

    init(info: DataPathInfo, descriptors: [OwnedDescriptor]) throws {
        guard descriptors.count == 3 else { throw ClientError("descriptor-count \(descriptors.count)") }
        let layout = try SessionRingsLayout(version: info.layoutVersion, capacity: info.ringCapacity)
        guard layout.byteCount == Int(info.regionSize) else { throw ClientError("region-size") }
        self.info = info
        region = try MappedMemory.map(descriptors[0].raw, length: layout.byteCount, writable: true)
        daemonToTenant = EventFD(adopting: OwnedDescriptor(adopting: descriptors[1].release()))
        tenantToDaemon = EventFD(adopting: OwnedDescriptor(adopting: descriptors[2].release()))
        let base = region.withUnsafeMutableBytes { $0.baseAddress! }
        fill = RingProducer(memory: layout.memory(of: .fill, unsafeRegion: base))
        tx = RingProducer(memory: layout.memory(of: .tx, unsafeRegion: base))
        rx = RingConsumer(memory: layout.memory(of: .rx, unsafeRegion: base))
        completion = RingConsumer(memory: layout.memory(of: .completion, unsafeRegion: base))
    }

    /// Posts frames on fill (or one packet on tx) and always kicks the daemon.
    func post(_ descriptors: [RingDescriptor], onTx: Bool) throws -> Int {
        let published = onTx ? try tx.produce(descriptors.span) : try fill.produce(descriptors.span)
        tenantToDaemon.signal()
        return published.count
    }

    /// Waits up to `milliseconds` for one rx descriptor.
    func receive(milliseconds: Int) throws -> RingDescriptor? {
        var one = [RingDescriptor(frame: 0, length: 0)]
        let deadline = MonotonicClock.nanoseconds() + UInt64(milliseconds) * 1_000_000
        while true {
            var span = one.mutableSpan
            if try rx.consume(into: &span) == 1 { return one[0] }
            if MonotonicClock.nanoseconds() >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// Completed tx frames so far.
    func completions() throws -> [RingDescriptor] {
        var buffer = Array(repeating: RingDescriptor(frame: 0, length: 0), count: 64)
        var span = buffer.mutableSpan
        let count = try completion.consume(into: &span)
        return Array(buffer.prefix(count))
    }
}

struct ClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Hand-built frames: Ethernet II + IPv4 (header checksum) + UDP (checksum 0, allowed on IPv4).
enum RawFrames {
    static func udp(srcMAC: MACAddress, dstMAC: MACAddress, src: IPv4Address, srcPort: UInt16, dst: IPv4Address,
        dstPort: UInt16, payload: [UInt8]) -> [UInt8]
    {
        var f: [UInt8] = dstMAC.bytes + srcMAC.bytes + [0x08, 0x00]
        let total = 20 + 8 + payload.count
        var ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0x40, 0, 64, 17, 0, 0]
        ip += be(src.rawValue) + be(dst.rawValue)
        let sum = checksum(ip)
        ip[10] = UInt8(sum >> 8)
        ip[11] = UInt8(sum & 0xFF)
        f += ip
        let udpLength = 8 + payload.count
        f += [UInt8(srcPort >> 8), UInt8(srcPort & 0xFF), UInt8(dstPort >> 8), UInt8(dstPort & 0xFF),
            UInt8(udpLength >> 8), UInt8(udpLength & 0xFF), 0, 0]
        return f + payload
    }

    /// (source address, source port, destination port, payload) of an IPv4/UDP frame.
    static func parseUDP(_ f: [UInt8]) -> (IPv4Address, UInt16, UInt16, [UInt8])? {
        guard f.count >= 42, f[12] == 0x08, f[13] == 0x00, f[23] == 17 else { return nil }
        let ihl = Int(f[14] & 0x0F) * 4
        let udp = 14 + ihl
        guard f.count >= udp + 8 else { return nil }
        let src = IPv4Address(f[26], f[27], f[28], f[29])
        let length = Int(f[udp + 4]) << 8 | Int(f[udp + 5])
        guard length >= 8, udp + length <= f.count else { return nil }
        return (src, UInt16(f[udp]) << 8 | UInt16(f[udp + 1]), UInt16(f[udp + 2]) << 8 | UInt16(f[udp + 3]),
            Array(f[(udp + 8)..<(udp + length)]))
    }

    /// True when the IPv4 header checksum verifies and the UDP checksum is absent or verifies.
    static func checksumsVerify(_ f: [UInt8]) -> Bool {
        let ihl = Int(f[14] & 0x0F) * 4
        guard f.count >= 14 + ihl + 8, checksum(Array(f[14..<(14 + ihl)])) == 0 else { return false }
        let udp = Array(f[(14 + ihl)...])
        let length = Int(udp[4]) << 8 | Int(udp[5])
        guard length <= udp.count else { return false }
        if udp[6] == 0 && udp[7] == 0 { return true }
        let pseudo = Array(f[26..<34]) + [0, 17, UInt8(length >> 8), UInt8(length & 0xFF)]
        return checksum(pseudo + udp.prefix(length)) == 0
    }

    static func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func checksum(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for i in stride(from: 0, to: bytes.count, by: 2) {
            sum += UInt32(bytes[i]) << 8 | UInt32(i + 1 < bytes.count ? bytes[i + 1] : 0)
        }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
