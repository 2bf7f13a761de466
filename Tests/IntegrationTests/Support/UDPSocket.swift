// The host kernel's end of the data-path tests' UDP traffic: a plain socket on the network's
// host address, in whichever namespace that host is.

import Foundation
import Glibc

/// A host-side UDP socket on the network's host address, in the root namespace (TAP) or in
/// the veth's peer namespace. This traffic never leaves the machine: the TAP is the daemon's
/// and the veth pair the test's. Owns its fd; closed on deinit.
final class UDPSocket {
    let fd: Int32
    let port: UInt16

    /// A socket bound to `address`:`port` (0: any free port), made inside `namespace` when
    /// given (it stays there for life, whichever thread uses it).
    init(address: String, port: UInt16, namespace: NetNamespace? = nil) throws {
        let opened = try namespace.map { n in try n.run { try Self.open(address, port) } } ?? Self.open(address, port)
        fd = opened.fd
        self.port = opened.port
    }

    private static func open(_ address: String, _ port: UInt16) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket errno \(errno)") }
        var sin = Self.socketAddress(address, port)
        let bound = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw HarnessError("bind \(address) errno \(errno)")
        }
        var out = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &out) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: out.sin_port))
    }

    deinit { close(fd) }

    static func socketAddress(_ address: String, _ port: UInt16) -> sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sin.sin_addr)
        return sin
    }

    func send(_ text: String, to address: String, port: UInt16) throws {
        var sin = Self.socketAddress(address, port)
        let bytes = Array(text.utf8)
        let sent = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard sent == bytes.count else { throw HarnessError("sendto errno \(errno)") }
    }

    /// One datagram as text, or nil if none arrives in time.
    func receive(timeoutMilliseconds: Int32) throws -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 2048)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 0 else { throw HarnessError("recv errno \(errno)") }
        return String(decoding: buffer.prefix(n), as: UTF8.self)
    }
}
