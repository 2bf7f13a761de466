// The peer kernel sending UDP the ways a real Linux host does: one python3 process in the veth's
// peer namespace, with GSO (UDP_SEGMENT), IP fragmentation, IPv4 options, or nothing special.

import Foundation

/// How the peer kernel sends one datagram (or one GSO burst) to a tenant.
enum PeerSend: String, CaseIterable, Sendable {
    /// One `sendto` of `segments` × 1000 bytes with UDP_SEGMENT 1000: a GSO super-packet on
    /// the veth, which the peer kernel never segments itself.
    case gso
    /// One datagram too large for the MTU: the peer kernel sends it in IP fragments.
    case fragmented
    /// IP_OPTIONS (three NOPs and an end of list): an IPv4 header of 24 bytes.
    case options
    /// A plain datagram: on veth it leaves with a partial checksum (CHECKSUM_PARTIAL).
    case plain

    static let segmentSize = 1000
    static let segments = 8

    /// The bytes this kind of send carries in all, the same in Swift and in the script.
    var payload: [UInt8] {
        let count = switch self {
        case .gso: Self.segmentSize * Self.segments
        case .fragmented: 3000
        case .options, .plain: 200
        }
        let tag = Array("\(rawValue)-".utf8)
        return (0..<count).map { i in i % 64 < tag.count ? tag[i % 64] : UInt8(33 + (i / 64 + i % 64) % 90) }
    }

    /// The script: argv = kind, destination, port, source port. It builds the same payload
    /// as `payload` and sends it once; a failed setsockopt fails the script (status ≠ 0).
    static let script = """
        import socket, sys
        kind, dst, port, sport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        count = {"gso": \(segmentSize * segments), "fragmented": 3000}.get(kind, 200)
        tag = (kind + "-").encode()
        payload = bytes(tag[i % 64] if i % 64 < len(tag) else 33 + (i // 64 + i % 64) % 90 for i in range(count))
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", sport))
        if kind == "gso":
            s.setsockopt(socket.SOL_UDP, 103, \(segmentSize))  # UDP_SEGMENT
        if kind == "options":
            s.setsockopt(socket.IPPROTO_IP, socket.IP_OPTIONS, bytes([1, 1, 1, 0]))
        sent = s.sendto(payload, (dst, port))
        assert sent == len(payload), sent
        print("sent", sent)
        """

    /// Sends from the peer namespace of `net` to `destination`:`port` from `sourcePort`.
    func send(in net: VethNet, to destination: String, port: Int, sourcePort: Int) throws {
        let r = try net.peerCommand("/usr/bin/python3", ["-c", Self.script, rawValue, destination, String(port),
            String(sourcePort)], timeout: 20)
        guard r.status == 0 else { throw HarnessError("python3 \(rawValue) send failed: \(r.stdout)\(r.stderr)") }
    }
}
