// The udp-rate benchmark's private network: a veth pair into a peer namespace (kernel and
// exokernel paths) and two namespaces joined by vde_switch TAPs. Named by pid; always removed.

import ExoPlatform
import ExoWire
import ExoPacket
import Foundation
import Glibc

/// Names and addresses of one run (pid-unique), and everything it created, for `teardown()`.
final class BenchNetwork {
    let pid = Int(getpid())
    /// Third octet of every subnet of this run.
    let octet: UInt8
    /// The veth's root end (where the kernel socket and exokerneld receive) and its peer end.
    let vethRoot: String
    let vethPeer: String
    let peerNamespace: String
    /// vde_switch's two TAPs and the namespaces they are moved into.
    let vdeSenderTap: String
    let vdeReceiverTap: String
    let vdeSenderNamespace: String
    let vdeReceiverNamespace: String
    /// The TAP the daemon creates (TAP backend).
    let daemonTap: String

    static let rootMAC = MACAddress(0x02, 0xEB, 0, 0, 0, 0x01)
    static let peerMAC = MACAddress(0x02, 0xEB, 0, 0, 0, 0x02)
    static let benchPort: UInt16 = 9000

    private var namespaces: [String] = []
    private var vethCreated = false
    private var vde: ChildProcess?

    init() {
        octet = UInt8(pid % 250 + 1)
        vethRoot = "exb\(pid)a"
        vethPeer = "exb\(pid)b"
        peerNamespace = "exb\(pid)p"
        vdeSenderTap = "exb\(pid)s"
        vdeReceiverTap = "exb\(pid)r"
        vdeSenderNamespace = "exb\(pid)vs"
        vdeReceiverNamespace = "exb\(pid)vr"
        daemonTap = "exb\(pid)t"
    }

    /// 10.213.octet.host: the veth link (root end .1, peer end .2, a tenant .3).
    func vethAddress(_ host: UInt8) -> IPv4Address { IPv4Address(10, 213, octet, host) }
    /// 10.214.octet.host: the daemon's TAP (host .1, tenant .3).
    func tapAddress(_ host: UInt8) -> IPv4Address { IPv4Address(10, 214, octet, host) }
    /// 10.215.octet.host: the vde_switch link (receiver .1, sender .2).
    func vdeAddress(_ host: UInt8) -> IPv4Address { IPv4Address(10, 215, octet, host) }

    /// The veth pair, its peer end in its own namespace with .2/24, the root end up without
    /// an address (each phase adds what it needs). Both MACs fixed, IPv6 link-local off.
    func createVeth() throws {
        try addNamespace(peerNamespace)
        try ip("link", "add", vethRoot, "address", "\(Self.rootMAC)", "type", "veth", "peer", "name", vethPeer,
            "address", "\(Self.peerMAC)", "netns", peerNamespace)
        vethCreated = true
        try ip("link", "set", "dev", vethRoot, "addrgenmode", "none")
        try ip("-n", peerNamespace, "link", "set", "dev", vethPeer, "addrgenmode", "none")
        try ip("link", "set", "dev", vethRoot, "up")
        try ip("-n", peerNamespace, "link", "set", "dev", vethPeer, "up")
        try ip("-n", peerNamespace, "addr", "add", "\(vethAddress(2))/24", "dev", vethPeer)
    }

    /// vde_switch with two TAPs, each moved into its own namespace: sender .2, receiver .1.
    func createVDE(directory: String, vdeSwitch: String) throws {
        try addNamespace(vdeSenderNamespace)
        try addNamespace(vdeReceiverNamespace)
        vde = try ChildProcess(
            "vde_switch", vdeSwitch,
            ["-s", directory + "/vde.ctl", "-M", directory + "/vde.mgmt", "-t", vdeSenderTap, "-t", vdeReceiverTap],
            logPath: directory + "/vde.log", holdInput: true)
        var ready = false
        for _ in 0..<100 {
            if FileManager.default.fileExists(atPath: "/sys/class/net/\(vdeReceiverTap)")
                && FileManager.default.fileExists(atPath: "/sys/class/net/\(vdeSenderTap)")
            {
                ready = true
                break
            }
            usleep(20_000)
        }
        guard ready else { throw BenchError("vde_switch did not create \(vdeSenderTap) and \(vdeReceiverTap)") }
        for (tap, namespace, host) in [(vdeSenderTap, vdeSenderNamespace, UInt8(2)), (vdeReceiverTap, vdeReceiverNamespace, 1)] {
            try ip("link", "set", "dev", tap, "netns", namespace)
            try ip("-n", namespace, "link", "set", "dev", tap, "addrgenmode", "none")
            try ip("-n", namespace, "link", "set", "dev", tap, "up")
            try ip("-n", namespace, "addr", "add", "\(vdeAddress(host))/24", "dev", tap)
        }
        let receiverMAC = try macAddress(of: vdeReceiverTap, namespace: vdeReceiverNamespace)
        try ip("-n", vdeSenderNamespace, "neigh", "replace", "\(vdeAddress(1))", "lladdr", "\(receiverMAC)", "dev",
            vdeSenderTap, "nud", "permanent")
    }

    /// The MAC of `interface` (in `namespace`, or the root one).
    func macAddress(of interface: String, namespace: String? = nil) throws -> MACAddress {
        let text = namespace.map { try? ip("-n", $0, "-br", "link", "show", "dev", interface) }
            ?? (try? ip("-br", "link", "show", "dev", interface))
        for field in (text ?? "").split(separator: " ") {
            if let mac = MACAddress(String(field)), field.count == 17 { return mac }
        }
        throw BenchError("no MAC for \(interface): \(text ?? "")")
    }

    private func addNamespace(_ name: String) throws {
        try ip("netns", "add", name)
        namespaces.append(name)
        try ip("-n", name, "link", "set", "dev", "lo", "up")
    }

    /// Runs `body` with the veth's root end holding .1 (the kernel's address for its phase,
    /// removed after) and the peer knowing .1's MAC (no ARP during a run).
    func withRootAddress<R>(_ body: (IPv4Address) throws -> R) throws -> R {
        let address = vethAddress(1)
        try ip("addr", "add", "\(address)/24", "dev", vethRoot)
        defer { _ = try? ip("addr", "del", "\(address)/24", "dev", vethRoot) }
        try ip(
            "-n", peerNamespace, "neigh", "replace", "\(address)", "lladdr", "\(Self.rootMAC)", "dev", vethPeer,
            "nud", "permanent")
        return try body(address)
    }

    /// Stops vde_switch (its TAPs go with it) and deletes the veth and the namespaces.
    /// Idempotent; reports what it could not remove.
    func teardown() {
        vde?.stop()
        vde = nil
        if vethCreated, FileManager.default.fileExists(atPath: "/sys/class/net/\(vethRoot)") {
            do { try ip("link", "del", "dev", vethRoot) } catch { Console.error("exobench: \(error)") }
        }
        vethCreated = false
        for name in namespaces.reversed() {
            do { try ip("netns", "del", name) } catch { Console.error("exobench: \(error)") }
        }
        namespaces = []
    }

    deinit { teardown() }
}
