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
            Console.out(options.render(["bindings": bindings]))
            return
        }
        var table = TextTable(header: ["TENANT", "SESSION", "PROTO", "ADDRESS", "PORT"], rightAligned: [1, 4])
        for b in bindings {
            table.rows.append([b.tenant, "\(b.session)", b.endpoint.protocolName,
                "\(IPv4Address(rawValue: b.endpoint.address))", b.endpoint.proto == 0 ? "-" : "\(b.endpoint.port)"])
        }
        Console.out(options.render(table))
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
            Console.out(options.render(["tenants": stats]))
            return
        }
        var table = TextTable(
            header: ["TENANT", "RX PKTS", "RX BYTES", "TX PKTS", "TX BYTES", "DROPS"], rightAligned: [1, 2, 3, 4])
        for s in stats {
            let drops = s.drops.isEmpty ? "-" : s.drops.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")
            table.rows.append([s.tenant, "\(s.rxPackets)", "\(s.rxBytes)", "\(s.txPackets)", "\(s.txBytes)", drops])
        }
        Console.out(options.render(table))
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
            Console.out(options.render(nic))
            return
        }
        let address = "\(IPv4Address(rawValue: nic.hostAddress))/\(nic.prefixLength)"
        var table = TextTable(header: ["FIELD", "VALUE"], rightAligned: [])
        table.rows = [
            ["backend", nic.backend], ["name", nic.name], ["ifindex", "\(nic.ifindex)"],
            ["state", nic.linkDeleted ? "deleted" : "\(nic.isUp ? "up" : "down"), \(nic.isRunning ? "running" : "not running")"],
            ["mtu", "\(nic.mtu)"], ["mac", "\(nic.mac)"], ["host address", address],
            ["rx", "\(nic.rxPackets) packets, \(nic.rxBytes) bytes"], ["tx", "\(nic.txPackets) packets, \(nic.txBytes) bytes"],
            ["drops", nic.dropReasons.isEmpty ? "0" : "\(nic.drops): " + nic.dropReasons.map { "\($0.reason)=\($0.count)" }.joined(separator: " ")],
            ["link down events", "\(nic.linkDownEvents)"], ["mtu changes", "\(nic.mtuChanges)"],
            ["reattachments", "\(nic.reattachments)"],
            ["kernel rx", "\(nic.kernel.rxPackets) packets, \(nic.kernel.rxBytes) bytes, \(nic.kernel.rxErrors) errors, \(nic.kernel.rxDropped) dropped"],
            ["kernel tx", "\(nic.kernel.txPackets) packets, \(nic.kernel.txBytes) bytes, \(nic.kernel.txErrors) errors, \(nic.kernel.txDropped) dropped"],
        ]
        Console.out(options.render(table))
    }
}
