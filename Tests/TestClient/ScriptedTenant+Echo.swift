// exo-testclient's echo commands: send an ICMP echo request from a mapped frame, and receive
// an echo message (reply or request) naming its identifier, sequence and payload.

import ExoWire
import ExoPacket

extension ScriptedTenant {
    /// dp-send-echo FRAME SRC DST ID SEQ PAYLOAD: an echo request from this tenant's MAC for
    /// SRC (as the data path reported it, else the daemon's MAC) to the gateway's MAC.
    func sendEcho(_ args: [String]) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        guard args.count == 6, let frame = FrameNumber(args[0]), let src = IPv4Address(args[1]),
            let dst = IPv4Address(args[2]), let id = UInt16(args[3]), let seq = UInt16(args[4])
        else { return "err usage" }
        guard let memory = mappings[frame] else { return "err not-mapped" }
        let srcMAC = path.info.addresses.first { $0.address == src.rawValue }?.mac ?? path.info.addresses.first?.mac ?? .zero
        let bytes = RawFrames.echoRequest(
            srcMAC: srcMAC, dstMAC: path.info.gatewayMAC, src: src, dst: dst, id: id, seq: seq, payload: Array(args[5].utf8))
        bytes.withUnsafeBytes { source in memory.withUnsafeMutableBytes { $0.copyMemory(from: source) } }
        do {
            return "ok posted=\(try path.post([RingDescriptor(frame: frame, length: UInt32(bytes.count))], onTx: true))"
        } catch {
            return "err \(error)"
        }
    }

    /// dp-recv-echo [MS]: the next received frame, which must be an ICMP echo message.
    func receiveEcho(milliseconds: Int) -> String {
        guard let path = dataPath else { return "err no-data-path" }
        do {
            guard let d = try path.receive(milliseconds: milliseconds) else { return "err timeout" }
            guard let memory = mappings[d.frame] else { return "err not-mapped frame=\(d.frame)" }
            let bytes = memory.withUnsafeBytes { Array($0.prefix(Int(d.length))) }
            guard let echo = RawFrames.parseEcho(bytes) else { return "err not-echo frame=\(d.frame) length=\(d.length)" }
            return "ok frame=\(d.frame) type=\(echo.type) from=\(echo.src) id=\(echo.id) seq=\(echo.seq)"
                + " payload=\(String(decoding: echo.payload, as: UTF8.self))"
        } catch {
            return "err \(error)"
        }
    }
}

extension RawFrames {
    /// Ethernet II + IPv4 + ICMP echo request (type 8), both checksums set.
    static func echoRequest(srcMAC: MACAddress, dstMAC: MACAddress, src: IPv4Address, dst: IPv4Address, id: UInt16,
        seq: UInt16, payload: [UInt8]) -> [UInt8]
    {
        var icmp: [UInt8] = [8, 0, 0, 0, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(seq >> 8), UInt8(seq & 0xFF)] + payload
        let sum = checksum(icmp)
        icmp[2] = UInt8(sum >> 8)
        icmp[3] = UInt8(sum & 0xFF)
        let total = 20 + icmp.count
        var ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0x40, 0, 64, 1, 0, 0]
        ip += be(src.rawValue) + be(dst.rawValue)
        let ipSum = checksum(ip)
        ip[10] = UInt8(ipSum >> 8)
        ip[11] = UInt8(ipSum & 0xFF)
        return dstMAC.bytes + srcMAC.bytes + [0x08, 0x00] + ip + icmp
    }

    /// (type, source address, identifier, sequence, payload) of an IPv4 ICMP echo frame
    /// whose ICMP checksum verifies.
    static func parseEcho(_ f: [UInt8]) -> (type: UInt8, src: IPv4Address, id: UInt16, seq: UInt16, payload: [UInt8])? {
        guard f.count >= 42, f[12] == 0x08, f[13] == 0x00, f[23] == 1 else { return nil }
        let ihl = Int(f[14] & 0x0F) * 4
        let total = Int(f[16]) << 8 | Int(f[17])
        let start = 14 + ihl
        guard total >= ihl + 8, 14 + total <= f.count else { return nil }
        let icmp = Array(f[start..<(14 + total)])
        guard icmp[0] == 0 || icmp[0] == 8, checksum(icmp) == 0 else { return nil }
        return (icmp[0], IPv4Address(f[26], f[27], f[28], f[29]), UInt16(icmp[4]) << 8 | UInt16(icmp[5]),
            UInt16(icmp[6]) << 8 | UInt16(icmp[7]), Array(icmp[8...]))
    }
}
