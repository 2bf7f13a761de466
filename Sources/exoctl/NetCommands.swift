// `exoctl bindings [--tenant NAME]`, `exoctl stats` and `exoctl nic`: the data plane as the
// daemon reports it, as tables or (--json) sorted-key JSON.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire
import ExoPacket
import Foundation

struct BindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bindings", abstract: "List data-path bindings (endpoint or whole address → session).")

    @OptionGroup var options: ConnectionOptions

    @Option(name: .long, help: "Only this tenant's bindings.")
    var tenant: String?

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let bindings = try await session.bindings(tenant: tenant)
        if options.json {
            Console.out(JSONOutput.render(["bindings": bindings.map(NetJSON.binding)]))
            return
        }
        var table = TextTable(header: ["TENANT", "SESSION", "PROTO", "ADDRESS", "PORT"], rightAligned: [1, 4])
        for b in bindings {
            table.rows.append([b.tenant, "\(b.session)", NetJSON.proto(b.endpoint.proto),
                "\(IPv4Address(rawValue: b.endpoint.address))", b.endpoint.proto == 0 ? "-" : "\(b.endpoint.port)"])
        }
        Console.out(table.render())
    }
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Per-tenant data-path counters and drop reasons.")

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let stats = try await session.stats()
        if options.json {
            Console.out(JSONOutput.render(["tenants": stats.map(NetJSON.stats)]))
            return
        }
        var table = TextTable(
            header: ["TENANT", "RX PKTS", "RX BYTES", "TX PKTS", "TX BYTES", "DROPS"], rightAligned: [1, 2, 3, 4])
        for s in stats {
            let drops = s.drops.isEmpty ? "-" : s.drops.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
            table.rows.append([s.tenant, "\(s.rxPackets)", "\(s.rxBytes)", "\(s.txPackets)", "\(s.txBytes)", drops])
        }
        Console.out(table.render())
    }
}

struct NicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nic", abstract: "The daemon's NIC and its counters.")

    @OptionGroup var options: ConnectionOptions

    func run() async throws {
        let session = try await options.attach()
        defer { session.close() }
        let nic = try await session.nic()
        if options.json {
            Console.out(JSONOutput.render(NetJSON.nic(nic)))
            return
        }
        let address = "\(IPv4Address(rawValue: nic.hostAddress))/\(nic.prefixLength)"
        var table = TextTable(header: ["FIELD", "VALUE"], rightAligned: [])
        table.rows = [
            ["backend", nic.backend], ["name", nic.name], ["ifindex", "\(nic.ifindex)"],
            ["state", "\(nic.isUp ? "up" : "down"), \(nic.isRunning ? "running" : "not running")"],
            ["mtu", "\(nic.mtu)"], ["mac", "\(nic.mac)"], ["host address", address],
            ["rx", "\(nic.rxPackets) packets, \(nic.rxBytes) bytes"], ["tx", "\(nic.txPackets) packets, \(nic.txBytes) bytes"],
            ["drops", nic.dropReasons.isEmpty ? "0" : "\(nic.drops): " + nic.dropReasons.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")],
            ["link down events", "\(nic.linkDownEvents)"], ["mtu changes", "\(nic.mtuChanges)"],
            ["kernel rx", "\(nic.kernel.rxPackets) packets, \(nic.kernel.rxBytes) bytes, \(nic.kernel.rxErrors) errors, \(nic.kernel.rxDropped) dropped"],
            ["kernel tx", "\(nic.kernel.txPackets) packets, \(nic.kernel.txBytes) bytes, \(nic.kernel.txErrors) errors, \(nic.kernel.txDropped) dropped"],
        ]
        Console.out(table.render())
    }
}

enum NetJSON {
    static func proto(_ p: UInt8) -> String { p == 0 ? "addr" : p == 1 ? "icmp" : p == 6 ? "tcp" : p == 17 ? "udp" : "\(p)" }

    static func binding(_ b: BindingInfo) -> [String: Any] {
        [
            "tenant": b.tenant, "session": NSNumber(value: b.session), "proto": proto(b.endpoint.proto),
            "address": "\(IPv4Address(rawValue: b.endpoint.address))", "port": Int(b.endpoint.port),
        ]
    }

    static func stats(_ s: TenantStats) -> [String: Any] {
        [
            "tenant": s.tenant, "rxPackets": NSNumber(value: s.rxPackets), "rxBytes": NSNumber(value: s.rxBytes),
            "txPackets": NSNumber(value: s.txPackets), "txBytes": NSNumber(value: s.txBytes),
            "drops": Dictionary(uniqueKeysWithValues: s.drops.map { ($0.reason, NSNumber(value: $0.count)) }),
        ]
    }

    static func nic(_ n: NicInfo) -> [String: Any] {
        [
            "backend": n.backend, "name": n.name, "ifindex": Int(n.ifindex), "isUp": n.isUp, "isRunning": n.isRunning,
            "mtu": Int(n.mtu), "mac": "\(n.mac)", "hostAddress": "\(IPv4Address(rawValue: n.hostAddress))",
            "prefixLength": Int(n.prefixLength), "rxPackets": NSNumber(value: n.rxPackets),
            "txPackets": NSNumber(value: n.txPackets), "rxBytes": NSNumber(value: n.rxBytes),
            "txBytes": NSNumber(value: n.txBytes), "drops": NSNumber(value: n.drops),
            "linkDownEvents": NSNumber(value: n.linkDownEvents), "mtuChanges": NSNumber(value: n.mtuChanges),
            "dropReasons": Dictionary(uniqueKeysWithValues: n.dropReasons.map { ($0.reason, NSNumber(value: $0.count)) }),
            "kernel": [
                "rxPackets": NSNumber(value: n.kernel.rxPackets), "txPackets": NSNumber(value: n.kernel.txPackets),
                "rxBytes": NSNumber(value: n.kernel.rxBytes), "txBytes": NSNumber(value: n.kernel.txBytes),
                "rxErrors": NSNumber(value: n.kernel.rxErrors), "txErrors": NSNumber(value: n.kernel.txErrors),
                "rxDropped": NSNumber(value: n.kernel.rxDropped), "txDropped": NSNumber(value: n.kernel.txDropped),
            ],
        ]
    }
}
