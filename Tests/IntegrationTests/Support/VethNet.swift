// The AF_PACKET backend's TestNet: a veth pair whose root end the daemon binds (no address)
// and whose peer end, in a namespace of its own, is the host at `.1`: a real Linux kernel.

import Foundation
import Glibc
import Synchronization

/// A network namespace and a veth pair of this run only. Names come from the pid and a
/// per-process counter (shared with TapNet, which also picks the /24), so suites in parallel
/// and other runs never collide. Created whole or not at all; `remove()` (idempotent, also
/// on deinit) deletes the pair and the namespace, which ends every link the test made.
final class VethNet: TestNet {
    let second: Int
    let octet: Int
    /// The root namespace's end: the daemon's `[nic] name`. It carries no address.
    let daemonLink: String
    /// The peer namespace's end, holding `.1/24`.
    let peerLink: String
    let namespace: NetNamespace
    /// The peer end's MAC, which the veth was created with: the tenants' gateway MAC.
    let peerMAC: String
    private let removed = Mutex(false)

    init(second: Int, prefix: String) throws {
        let n = TapNet.nextInstance()
        self.second = second
        octet = TapNet.octet(n)
        daemonLink = "\(prefix)\(getpid() % 10_000)n\(n)"  // at most 5+4+1+3 < 16 bytes
        peerLink = daemonLink + "p"
        namespace = NetNamespace(name: "exo-\(getpid())-\(n)-\(prefix)")
        // Locally administered, unique per network of this run: 02:e0:PID:PID:N.
        let pid = Int(getpid())
        peerMAC = String(format: "02:e0:%02x:%02x:%02x:%02x", pid >> 16 & 0xFF, pid >> 8 & 0xFF, pid & 0xFF, n & 0xFF)
        do {
            try build()
        } catch {
            remove()
            throw error
        }
    }

    deinit { remove() }

    var backend: Backend { .packet }
    func address(_ host: Int) -> String { "10.\(second).\(octet).\(host)" }

    private func build() throws {
        try Self.ip(["netns", "add", namespace.name])
        try recreatePair()
    }

    /// Creates the pair (again, after a test deleted it under a daemon): same names, same
    /// peer MAC and address, both ends up.
    func recreatePair() throws {
        try Self.ip(["link", "add", daemonLink, "type", "veth", "peer", "name", peerLink, "address", peerMAC,
            "netns", namespace.name])
        // Address generation off before the links go up: no IPv6 link-local address, so
        // neither kernel sends MLD or neighbour discovery onto the tenants' wire.
        try Self.ip(["link", "set", daemonLink, "addrgenmode", "none"])
        try Self.ip(["-n", namespace.name, "link", "set", peerLink, "addrgenmode", "none"])
        try Self.ip(["-n", namespace.name, "addr", "add", "\(address(1))/24", "dev", peerLink])
        try Self.ip(["-n", namespace.name, "link", "set", "lo", "up"])
        try Self.ip(["-n", namespace.name, "link", "set", peerLink, "up"])
        try Self.ip(["link", "set", daemonLink, "up"])
    }

    /// Deletes the pair (either end takes the other with it) and the namespace. Idempotent;
    /// failures are ignored, since the daemon or the test may have deleted a link already.
    func remove() {
        let first = removed.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        _ = try? runCommand("/usr/sbin/ip", ["link", "del", daemonLink])
        _ = try? runCommand("/usr/sbin/ip", ["netns", "del", namespace.name])
    }

    /// The daemon's `[nic]` for this pair: AF_PACKET on the root end, the peer kernel's
    /// address and MAC as the tenants' gateway, the veth's default MTU.
    var nic: String {
        "\n[nic]\nbackend = \"packet\"\nname = \"\(daemonLink)\"\nmtu = 1500\nhost_address = \"\(address(1))/24\"\n"
            + "gateway_mac = \"\(peerMAC)\"\n"
    }

    func daemon() throws -> DaemonHarness {
        try DaemonHarness(tenantExtra: tenantExtra, tail: nic)
    }

    func daemon(quota: UInt32) throws -> DaemonHarness {
        try DaemonHarness(
            tenants: [("alice", TestUIDs.alice, quota), ("bob", TestUIDs.bob, quota)], frames: Int(quota) * 2,
            tenantExtra: tenantExtra, tail: nic)
    }

    func peerCommand(_ path: String, _ arguments: [String], timeout: TimeInterval) throws -> CommandResult {
        try namespace.command(path, arguments, timeout: timeout)
    }

    func peerSocket(port: UInt16) throws -> UDPSocket {
        try UDPSocket(address: address(1), port: port, namespace: namespace)
    }

    func capture(directory: String) throws -> PacketCapture {
        try PacketCapture(interface: peerLink, directory: directory, namespace: namespace)
    }

    static func ip(_ arguments: [String]) throws {
        let r = try runCommand("/usr/sbin/ip", arguments)
        guard r.status == 0 else { throw HarnessError("ip \(arguments.joined(separator: " ")): \(r.stderr)") }
    }
}
