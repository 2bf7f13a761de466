// udp-echo: a raw library-OS UDP echo server. Attaches as a tenant, maps frames, opens the
// data path, binds udp A:P and echoes datagrams with its own Ethernet/IPv4/UDP handling.

import ExOS
import ExoPlatform
import ExoWire
import Glibc

/// Sets everything up and serves; returns the process exit status.
func runEcho(_ options: EchoOptions) async -> ToolExitStatus {
    guard let address = options.address else { return .usage }
    do throws(ExOSError) {
        let session = try await ExOS.attach(tenant: options.tenant, socketPath: options.socket)
        let holdings = try await session.allocateAny(count: options.frames)
        let frames = try await session.map(holdings.map(\.frame))
        let path = try await session.openDataPath(ringCapacity: options.ringCapacity)
        // Every address the tenant may send from is listed with the MAC to send with: its own
        // for an address owned whole, the daemon's for a shared one (docs/PROTOCOL.md).
        guard let grant = path.info?.addresses.first(where: { $0.address == address.rawValue }) else {
            Console.error("udp-echo: tenant \(options.tenant) has no grant for \(address)")
            return .refused
        }
        let mac = grant.mac
        try await session.bind(WireEndpoint(proto: WireEndpoint.udp, address: address.rawValue, port: options.port))
        if grant.whole {
            do throws(ExOSError) {
                try await session.bind(.whole(address.rawValue))
            } catch {
                Console.error("udp-echo: whole-address binding refused (\(error)); ARP stays with the daemon")
            }
        }
        do throws(DataPathError) {
            try path.postFill(frames)
        } catch {
            Console.error("udp-echo: \(error)")
            return .protocolError
        }
        path.flush()
        Console.out(
            "udp-echo: tenant \(options.tenant) serving udp \(address):\(options.port) mac \(mac) "
                + "(\(grant.whole ? "owned address" : "shared address")), \(frames.count) frames, ring \(options.ringCapacity)"
                + (options.busyPoll ? ", busy-polling" : ""))
        var echo = EchoServer(
            path: path, responder: EchoResponder(mac: mac, address: address, port: options.port, ownsAddress: grant.whole))
        echo.busyPoll = options.busyPoll
        echo.quiet = options.quiet
        echo.spinNanoseconds = UInt64(options.spinMicroseconds) * 1_000
        do throws(DataPathError) {
            try echo.serve(limit: options.count)
        } catch {
            Console.error("udp-echo: \(error)")
            return .protocolError
        }
        Console.out("udp-echo: \(echo.summary); data path \(describe(path.counters))")
        session.close()
        return .success
    } catch {
        Console.error("udp-echo: \(error)")
        return ToolExitStatus(error)
    }
}

func describe(_ counters: DataPathCounters) -> String {
    "rx \(counters.received) tx \(counters.transmitted) completed \(counters.completed) "
        + "faults \(counters.rxForeignFrames + counters.rxBadDescriptors + counters.completionForeignFrames + counters.ringViolations)"
}

switch EchoOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let usage):
    Console.error("udp-echo: \(usage.message)\n\(EchoOptions.usage)")
    exit(ToolExitStatus.usage.rawValue)
case .success(let options):
    // Synchronous so far (no thread but this one): drop privileges, then start the async world.
    let identity = options.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
    TenantMain.run(name: "udp-echo", droppingTo: identity) { await runEcho(options) }
}
