// An IP address and TCP port as an operator writes it ("127.0.0.1:9464", "[::1]:9464"), and
// its sockaddr for bind(2). Parsing needs inet_pton, which is why it lives here.
import Glibc

/// A numeric IPv4 or IPv6 address and a port. Host names are not resolved (a daemon's
/// listening address must not depend on DNS at start-up).
public struct TCPEndpoint: Equatable, Sendable, CustomStringConvertible {
    public enum Family: Sendable, Equatable { case ipv4, ipv6 }

    public let family: Family
    /// Network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let address: [UInt8]
    /// 0: any free port, chosen by the kernel at bind (`StreamListener.boundEndpoint` says which).
    public let port: UInt16

    public init(family: Family, address: [UInt8], port: UInt16) {
        precondition(address.count == (family == .ipv4 ? 4 : 16), "address length does not match the family")
        self.family = family
        self.address = address
        self.port = port
    }

    /// `A.B.C.D:PORT` or `[IPV6]:PORT`; nil for anything else (a missing port, a name, a
    /// port over 65535, an IPv6 address without brackets).
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let digits = text[text.index(after: colon)...]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let port = UInt16(digits) else { return nil }
        let host = text[..<colon]
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count > 2 {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, String(host.dropFirst().dropLast()), &raw) == 1 else { return nil }
            self.init(family: .ipv6, address: withUnsafeBytes(of: raw) { Array($0) }, port: port)
        } else {
            var raw = in_addr()
            guard !host.contains(":"), inet_pton(AF_INET, String(host), &raw) == 1 else { return nil }
            self.init(family: .ipv4, address: withUnsafeBytes(of: raw) { Array($0) }, port: port)
        }
    }

    /// Whether the address is a loopback one (127.0.0.0/8 or ::1).
    public var isLoopback: Bool {
        switch family {
        case .ipv4: address[0] == 127
        case .ipv6: address == Array(repeating: 0, count: 15) + [1]
        }
    }

    /// The form `init(parsing:)` reads.
    public var description: String {
        switch family {
        case .ipv4: return address.map(String.init).joined(separator: ".") + ":\(port)"
        case .ipv6:
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: address) }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            return "[" + String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "]:\(port)"
        }
    }
}
