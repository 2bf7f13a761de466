// A non-blocking TCP listener and its connections, for the daemon's metrics endpoint: listen,
// accept without blocking, and read and write that report "would block" instead of waiting.
// The daemon's loop watches the descriptors; nothing here ever sleeps.
import CExoShims
import Glibc

public enum StreamListener {
    private static let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// socket(SOCK_STREAM|NONBLOCK|CLOEXEC), SO_REUSEADDR (a restart rebinds at once despite
    /// connections in TIME_WAIT), IPV6_V6ONLY for an IPv6 address, bind, listen.
    /// The caller owns the returned listener.
    public static func listen(on endpoint: TCPEndpoint, backlog: Int32 = 16) throws(SystemError) -> OwnedDescriptor {
        let domain = endpoint.family == .ipv4 ? AF_INET : AF_INET6
        let fd = try Syscall.retrying("socket") { socket(domain, flags, 0) }
        let listener = OwnedDescriptor(adopting: fd)
        try setOption(fd, SOL_SOCKET, SO_REUSEADDR, "setsockopt(SO_REUSEADDR)")
        if endpoint.family == .ipv6 { try setOption(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, "setsockopt(IPV6_V6ONLY)") }
        let address = SocketAddressStorage(endpoint)
        _ = try Syscall.retrying("bind \(endpoint)") { address.withSockaddr { bind(fd, $0, $1) } }
        _ = try Syscall.retrying("listen") { Glibc.listen(fd, backlog) }
        return listener
    }

    /// The address and port the listener is bound to (the kernel's choice for port 0).
    public static func boundEndpoint(of listener: Int32) throws(SystemError) -> TCPEndpoint {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try Syscall.retrying("getsockname") {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
            }
        }
        return SocketAddressStorage.endpoint(of: storage)
    }

    /// accept4 with NONBLOCK|CLOEXEC; nil when no connection is pending. Throws on EMFILE and
    /// other failures (ECONNABORTED: accept again). The caller owns the connection.
    public static func accept(_ listener: Int32) throws(SystemError) -> OwnedDescriptor? {
        let fd = try Syscall.retryingUnlessWouldBlock("accept4") { cexo_accept_nonblocking(listener) }
        return fd.map { OwnedDescriptor(adopting: $0) }
    }

    /// Reads what is there into `buffer[offset...]`: the byte count (0: the peer closed), or
    /// nil when nothing is ready.
    public static func read(_ fd: Int32, into buffer: inout [UInt8], at offset: Int) throws(SystemError) -> Int? {
        precondition(offset < buffer.count, "no room to read into")
        let result = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SystemError) -> Int? in
                try Syscall.retryingUnlessWouldBlock("read") { Glibc.read(fd, raw.baseAddress! + offset, raw.count - offset) }
            }
        }
        return try result.get()
    }

    /// Writes as much of `bytes[offset...]` as the socket takes now (MSG_NOSIGNAL: a closed
    /// peer is an EPIPE error, not a signal); nil when it takes nothing.
    public static func write(_ fd: Int32, _ bytes: [UInt8], from offset: Int) throws(SystemError) -> Int? {
        precondition(offset < bytes.count, "nothing to write")
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SystemError) -> Int? in
                try Syscall.retryingUnlessWouldBlock("send") {
                    send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
        }
        return try result.get()
    }

    /// Ends the sending direction (the peer reads end of file after what was sent) and keeps
    /// receiving: closing with unread input would reset the connection, and the peer could lose
    /// the answer.
    public static func shutdownWriting(_ fd: Int32) throws(SystemError) {
        _ = try Syscall.retrying("shutdown") { shutdown(fd, Int32(SHUT_WR)) }
    }

    private static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ operation: String) throws(SystemError) {
        var on: Int32 = 1
        _ = try Syscall.retrying(operation) { setsockopt(fd, level, name, &on, socklen_t(MemoryLayout<Int32>.size)) }
    }
}

/// A `sockaddr_in` or `sockaddr_in6` for one endpoint. The only pointer work here: handing
/// the kernel a pointer to this value, valid for the duration of the closure.
struct SocketAddressStorage {
    private var storage = sockaddr_storage()
    private let length: socklen_t

    init(_ endpoint: TCPEndpoint) {
        switch endpoint.family {
        case .ipv4:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = endpoint.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: endpoint.address) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        case .ipv6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = endpoint.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: endpoint.address) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafePointer(to: storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) } }
    }

    /// The endpoint a kernel-filled `sockaddr_storage` holds (AF_INET or AF_INET6).
    static func endpoint(of storage: sockaddr_storage) -> TCPEndpoint {
        withUnsafeBytes(of: storage) { raw in
            if Int32(storage.ss_family) == AF_INET6 {
                let address = raw.load(as: sockaddr_in6.self)
                return TCPEndpoint(family: .ipv6, address: withUnsafeBytes(of: address.sin6_addr) { Array($0) },
                    port: UInt16(bigEndian: address.sin6_port))
            }
            let address = raw.load(as: sockaddr_in.self)
            return TCPEndpoint(family: .ipv4, address: withUnsafeBytes(of: address.sin_addr) { Array($0) },
                port: UInt16(bigEndian: address.sin_port))
        }
    }
}
