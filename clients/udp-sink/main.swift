// udp-sink: a library-OS UDP receiver for exobench udp-rate. Attaches as a tenant, binds one
// UDP endpoint, keeps its fill ring full and counts what the daemon delivers per second.

import ExOS
import ExoVersion
import ExoPlatform
import ExoWire
import Glibc

/// Sets everything up, receives until traffic stops, prints the result; returns the exit status.
func runSink(_ options: SinkOptions) async -> ToolExitStatus {
    guard let address = options.address else { return .usage }
    do throws(ExOSError) {
        let session = try await ExOS.attach(tenant: options.tenant, socketPath: options.socket)
        defer { session.close() }
        // Allocation and mapping go in batches of at most WireLimits.maxBatch (one record each).
        var frames: [MappedFrame] = []
        while frames.count < options.frames {
            let holdings = try await session.allocateAny(count: min(WireLimits.maxBatch, options.frames - frames.count))
            frames += try await session.map(holdings.map(\.frame))
        }
        let path = try await session.openDataPath(ringCapacity: options.ringCapacity)
        try await session.bind(WireEndpoint(proto: WireEndpoint.udp, address: address.rawValue, port: options.port))
        var loop = SinkLoop(path: path, port: options.port, batch: options.batch)
        do throws(DataPathError) {
            try path.postFill(frames)
            path.flush()
            Console.out("udp-sink: ready tenant \(options.tenant) udp \(address):\(options.port), "
                + "\(frames.count) frames, ring \(options.ringCapacity)")
            let deadline = options.maxSeconds.map { MonotonicClock.nanoseconds() + UInt64($0 * 1e9) }
            try loop.run(idleNanoseconds: UInt64(options.idleMilliseconds) * 1_000_000, deadline: deadline)
        } catch {
            Console.error("udp-sink: \(error)")
            return .protocolError
        }
        let rate = loop.seconds > 0 ? Double(loop.packets) / loop.seconds : 0
        Console.out("udp-sink: result packets=\(loop.packets) matched=\(loop.matched) seconds=\(loop.seconds) rate=\(Int(rate))")
        return .success
    } catch {
        Console.error("udp-sink: \(error)")
        return ToolExitStatus(error)
    }
}

// --version before anything else, as ArgumentParser's tools do.
if CommandLine.arguments.dropFirst().contains("--version") {
    Console.out(ExoVersion.line(for: "udp-sink"))
    exit(ToolExitStatus.success.rawValue)
}
switch SinkOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let usage):
    Console.error("udp-sink: \(usage.message)\n\(SinkOptions.usage)")
    exit(ToolExitStatus.usage.rawValue)
case .success(let options):
    // Synchronous so far (no thread but this one): drop privileges, then start the async world.
    let identity = options.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
    TenantMain.run(name: "udp-sink", droppingTo: identity) { await runSink(options) }
}
