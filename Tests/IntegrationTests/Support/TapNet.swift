// A TAP name and subnet of one suite's run (the TAP backend's TestNet), and the exoctl and
// dp-info readings the data-path suites check on either backend.

import Foundation
import Glibc
import Synchronization

/// A TAP name and /24 of this run only (`10.SECOND.random.0`), so suites running in parallel
/// and other runs never collide. alice owns .2 whole and ports 5000-5099 of .10; bob owns
/// ports 5100-5199 of .10.
struct TapNet: TestNet {
    let second: Int
    let tap: String
    let octet: Int

    /// Suites run in parallel in one test process: every TapNet and VethNet of the process
    /// gets its own link names and its own /24, so two live daemons never share either.
    private static let instances = Atomic<Int>(0)

    /// The next number of this process's networks (1, 2, …).
    static func nextInstance() -> Int { instances.add(1, ordering: .relaxed).newValue }

    /// The /24's third octet of network number `n` of this process.
    static func octet(_ n: Int) -> Int { 100 + (Int(getpid()) &+ n) % 150 }

    init(second: Int, tapPrefix: String) {
        let n = Self.nextInstance()
        self.second = second
        tap = "\(tapPrefix)\(getpid() % 10_000)n\(n)"  // at most 5+4+1+3 < 16 bytes
        octet = Self.octet(n)
    }

    var backend: Backend { .tap }
    func address(_ host: Int) -> String { "10.\(second).\(octet).\(host)" }
    var daemonLink: String { tap }
    var peerLink: String { tap }

    var nic: String { "\n[nic]\nbackend = \"tap\"\nname = \"unused0\"\nmtu = 1500\nhost_address = \"\(address(1))/24\"\n" }

    func daemon() throws -> DaemonHarness {
        try DaemonHarness(environment: ["EXOKERNEL_TAP": tap], tenantExtra: tenantExtra, tail: nic)
    }

    func daemon(quota: UInt32) throws -> DaemonHarness {
        try DaemonHarness(
            tenants: [("alice", TestUIDs.alice, quota), ("bob", TestUIDs.bob, quota)], frames: Int(quota) * 2,
            environment: ["EXOKERNEL_TAP": tap], tenantExtra: tenantExtra, tail: nic)
    }

    func peerCommand(_ path: String, _ arguments: [String], timeout: TimeInterval) throws -> CommandResult {
        try runCommand(path, arguments, timeout: timeout)
    }

    func peerSocket(port: UInt16) throws -> UDPSocket { try UDPSocket(address: address(1), port: port) }

    func capture(directory: String) throws -> PacketCapture {
        try PacketCapture(interface: tap, directory: directory)
    }

    /// Nothing to remove: the daemon created the TAP and deletes it when it exits.
    func remove() {}

    /// The MAC that a tenant's `dp-info` lists for `address`.
    static func mac(of address: String, in info: String) throws -> [UInt8] {
        guard let list = TenantProcess.value("addresses", in: info) else { throw HarnessError("no addresses: \(info)") }
        for entry in list.split(separator: ",") where entry.hasPrefix(address + "@") {
            return try PacketBuilder.mac(String(entry.dropFirst(address.count + 1)))
        }
        throw HarnessError("\(address) not in \(info)")
    }

    /// One tenant's entry of `exoctl stats --json`.
    struct Stats {
        var txPackets: Int
        var rxPackets: Int
        var drops: [String: Int]
        var totalDrops: Int { drops.values.reduce(0, +) }
    }

    static func stats(_ daemon: DaemonHarness, tenant: String) throws -> Stats {
        let text = try DataPathTests.exoctl(daemon, ["stats", "--json"])
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
            let tenants = root["tenants"] as? [[String: Any]]
        else { throw HarnessError("unexpected stats: \(text)") }
        guard let entry = tenants.first(where: { $0["tenant"] as? String == tenant }) else {
            return Stats(txPackets: 0, rxPackets: 0, drops: [:])
        }
        let drops = (entry["drops"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
        return Stats(txPackets: (entry["txPackets"] as? NSNumber)?.intValue ?? -1,
            rxPackets: (entry["rxPackets"] as? NSNumber)?.intValue ?? -1, drops: drops)
    }
}
