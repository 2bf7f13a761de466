// The Linux sockets of the udp-rate benchmark: a UDP socket connected or bound to an IPv4
// endpoint, and an AF_PACKET socket bound to one interface for raw frames. Thin, typed errors.

import CExoShims
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

/// "A.B.C.D:PORT" parsed.
struct SocketEndpoint: CustomStringConvertible {
    var address: IPv4Address
    var port: UInt16

    init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), let port = UInt16(parts[1]), port != 0
        else { return nil }
        self.address = address
        self.port = port
    }

    var description: String { "\(address):\(port)" }

    var sockaddr: sockaddr_in {
        var s = sockaddr_in()
        s.sin_family = sa_family_t(AF_INET)
        s.sin_port = port.bigEndian
        s.sin_addr.s_addr = address.rawValue.bigEndian
        return s
    }
}

/// One socket descriptor, closed on deinit.
final class BenchSocket {
    let fd: Int32
    private init(fd: Int32) { self.fd = fd }
    deinit { close(fd) }

    private static func check(_ result: Int32, _ operation: String) throws(SystemError) {
        if result < 0 { throw SystemError(operation: operation, errno: errno) }
    }

    /// A UDP socket connected to `peer` (sends need no address per datagram).
    static func udpConnected(to peer: SocketEndpoint, sourcePort: UInt16) throws(SystemError) -> BenchSocket {
        let socket = try udp()
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_port = sourcePort.bigEndian
        try check(withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }, "bind")
        var remote = peer.sockaddr
        try check(withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }, "connect")
        return socket
    }

    /// A UDP socket bound to `local`, with a receive buffer of `receiveBuffer` bytes (forced
    /// past rmem_max, which needs CAP_NET_ADMIN) and a receive timeout of `timeoutMilliseconds`.
    static func udpBound(to local: SocketEndpoint, receiveBuffer: Int32, timeoutMilliseconds: Int) throws(SystemError)
        -> BenchSocket
    {
        let socket = try udp()
        var size = receiveBuffer
        try check(setsockopt(socket.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size)), "SO_RCVBUFFORCE")
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        try check(setsockopt(socket.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)), "SO_RCVTIMEO")
        var address = local.sockaddr
        try check(withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }, "bind")
        return socket
    }

    /// An AF_PACKET raw socket bound to `interface` for sending whole frames, bypassing the
    /// qdisc (protocol 0: it receives nothing).
    static func packetSender(interface: String) throws(SystemError) -> BenchSocket {
        let index = if_nametoindex(interface)
        guard index != 0 else { throw SystemError(operation: "if_nametoindex(\(interface))", errno: errno) }
        let fd = Glibc.socket(AF_PACKET, Int32(SOCK_RAW.rawValue), 0)
        try check(fd, "socket(AF_PACKET)")
        let socket = BenchSocket(fd: fd)
        var one: Int32 = 1
        try check(setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, socklen_t(MemoryLayout<Int32>.size)), "PACKET_QDISC_BYPASS")
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_ifindex = Int32(index)
        try check(withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size)) }
        }, "bind(AF_PACKET)")
        return socket
    }

    private static func udp() throws(SystemError) -> BenchSocket {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        try check(fd, "socket(AF_INET, SOCK_DGRAM)")
        return BenchSocket(fd: fd)
    }
}

extension BenchSocket {
    /// A TCP socket connected to `peer`; connect, sends and receives give up after
    /// `timeoutMilliseconds` (SO_SNDTIMEO also bounds connect on Linux).
    static func tcpConnected(to peer: SocketEndpoint, timeoutMilliseconds: Int) throws(SystemError) -> BenchSocket {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        try check(fd, "socket(AF_INET, SOCK_STREAM)")
        let socket = BenchSocket(fd: fd)
        var timeout = timeval(tv_sec: timeoutMilliseconds / 1000, tv_usec: (timeoutMilliseconds % 1000) * 1000)
        try check(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)), "SO_RCVTIMEO")
        try check(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)), "SO_SNDTIMEO")
        var remote = peer.sockaddr
        try check(withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }, "connect(\(peer))")
        return socket
    }
}
