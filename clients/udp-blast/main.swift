// udp-blast: a library-OS UDP sender for exobench udp-rate --direction tx. Attaches as a
// tenant, maps a transmit pool, and sends one small datagram over and over through the daemon.

import ExOS
import ExoVersion
import ExoPlatform
import ExoWire
import Glibc

/// Sets everything up, sends for the time asked, prints the result; returns the exit status.
func runBlast(_ options: BlastOptions) async -> ToolExitStatus {
    guard let address = options.address, let destination = options.destination, let destinationMAC = options.destinationMAC
    else { return .usage }
    do throws(ExOSError) {
        let session = try await ExOS.attach(tenant: options.tenant, socketPath: options.socket)
        defer { session.close() }
        var frames: [MappedFrame] = []
        while frames.count < options.frames {
            let holdings = try await session.allocateAny(count: min(WireLimits.maxBatch, options.frames - frames.count))
            frames += try await session.map(holdings.map(\.frame))
        }
        let path = try await session.openDataPath(ringCapacity: options.ringCapacity)
        // The MAC to send from is the one the daemon lists with the address (docs/PROTOCOL.md).
        guard let grant = path.info?.addresses.first(where: { $0.address == address.rawValue }) else {
            Console.error("udp-blast: tenant \(options.tenant) has no grant for \(address)")
            return .refused
        }
        try await session.bind(WireEndpoint(proto: WireEndpoint.udp, address: address.rawValue, port: options.port))
        let template = BlastLoop.frame(
            from: grant.mac, to: destinationMAC, address, options.port, destination, options.destinationPort)
        var loop = BlastLoop(path: path, template: template, batch: options.batch)
        do throws(DataPathError) {
            try path.addTransmitFrames(frames)
            Console.out("udp-blast: ready tenant \(options.tenant) udp \(address):\(options.port) -> \(destination):\(options.destinationPort), "
                + "\(frames.count) frames, ring \(options.ringCapacity)")
            try loop.run(duration: options.seconds)
        } catch {
            Console.error("udp-blast: \(error)")
            return .protocolError
        }
        // Frames handed to the daemon; what it sent or refused is in `exoctl stats` (tx, drops).
        let rate = loop.seconds > 0 ? Double(loop.staged) / loop.seconds : 0
        Console.out("udp-blast: result sent=\(loop.staged) seconds=\(loop.seconds) rate=\(Int(rate)) "
            + "completed=\(path.counters.completed)")
        return .success
    } catch {
        Console.error("udp-blast: \(error)")
        return ToolExitStatus(error)
    }
}

// --version before anything else, as ArgumentParser's tools do.
if CommandLine.arguments.dropFirst().contains("--version") {
    Console.out(ExoVersion.line(for: "udp-blast"))
    exit(ToolExitStatus.success.rawValue)
}
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    Console.out(BlastOptions.usage)
    exit(ToolExitStatus.success.rawValue)
}
switch BlastOptions.parse(arguments) {
case .failure(let usage):
    Console.error("udp-blast: \(usage.message)\n\(BlastOptions.usage)")
    exit(ToolExitStatus.usage.rawValue)
case .success(let options):
    // Synchronous so far (no thread but this one): drop privileges, then start the async world.
    let identity = options.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
    TenantMain.run(name: "udp-blast", droppingTo: identity) { await runBlast(options) }
}
