// One face for the two networks the data-path suites run on: the daemon's own TAP with the
// root namespace as its peer, or a veth pair whose peer end sits in a namespace of its own.

import Foundation
import Testing

/// The NIC backends the data-path suites run on.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// The daemon creates a TAP; the root namespace's kernel is the host at `.1`.
    case tap
    /// AF_PACKET on the root end of a veth pair; the peer namespace's kernel is the host.
    case packet

    var testDescription: String { rawValue }

    /// A fresh network of this backend, `10.second.x.0/24`, its link names from `prefix` (at
    /// most 5 bytes). The caller calls `remove()` when done (`defer`, declared before the
    /// daemon's own `defer` so that it runs after the daemon stopped).
    func net(second: Int, prefix: String) throws -> any TestNet {
        switch self {
        case .tap: TapNet(second: second, tapPrefix: prefix)
        case .packet: try VethNet(second: second, prefix: prefix)
        }
    }
}

/// What a data-path suite needs of its network, on either backend. The two-tenant address
/// plan is the same on both: alice owns `.2` whole, ports 5000-5099 and echo identifiers
/// 100-199 of `.10`, bob owns ports 5100-5199 and echo identifiers 200-299 of `.10`; `.1` is
/// the host, the tenants' gateway, a real Linux kernel.
protocol TestNet: Sendable {
    var backend: Backend { get }
    /// `10.second.x.host` of this network.
    func address(_ host: Int) -> String
    /// The link the daemon sends and receives on (the TAP, or the veth's root end).
    var daemonLink: String { get }
    /// The host kernel's end of the wire (the TAP itself, or the veth's peer end).
    var peerLink: String { get }
    /// A daemon with the two tenants and this network as its `[nic]`. The caller stops it.
    func daemon() throws -> DaemonHarness
    /// The same daemon with a frame quota of `quota` for each tenant (for library-OS clients
    /// whose stack holds more than the default 64 frames).
    func daemon(quota: UInt32) throws -> DaemonHarness
    /// Runs a command where the host kernel is (root namespace, or the peer namespace).
    func peerCommand(_ path: String, _ arguments: [String], timeout: TimeInterval) throws -> CommandResult
    /// A UDP socket of the host kernel on `.1` (port 0: any free port).
    func peerSocket(port: UInt16) throws -> UDPSocket
    /// A tcpdump on the host kernel's end of the wire, listening when this returns.
    func capture(directory: String) throws -> PacketCapture
    /// Removes what this network created (nothing for a TAP: the daemon owns it). Idempotent.
    func remove()
}

extension TestNet {
    func peerSocket() throws -> UDPSocket { try peerSocket(port: 0) }

    func peerCommand(_ path: String, _ arguments: [String]) throws -> CommandResult {
        try peerCommand(path, arguments, timeout: 20)
    }

    /// The tenants' grants: the address plan above, as `[[tenant]]` TOML lines.
    var tenantExtra: [String: String] {
        [
            "alice": "addresses = [\"\(address(2))\"]\nports = [\"udp \(address(10)) 5000-5099\", \"icmp \(address(10)) 100-199\"]",
            "bob": "ports = [\"udp \(address(10)) 5100-5199\", \"icmp \(address(10)) 200-299\"]",
        ]
    }
}
