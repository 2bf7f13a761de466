// udp-echo: a UDP echo server on ExOS's network stack. Drops root first (before any thread
// exists), attaches, starts the stack, and echoes every datagram to its sender.

import ExOS
import ExoVersion
import Foundation

/// Serves as `options` says; returns the process exit status.
func runEcho(_ options: EchoOptions) async -> ToolExitStatus {
    guard let address = options.address else { return .usage }
    var network = NetworkOptions()
    network.frames = options.frames
    network.ringCapacity = options.ringCapacity
    network.busyPoll = options.busyPoll
    if options.spinMicroseconds > 0 { network.spin = .microseconds(options.spinMicroseconds) }
    if options.noReattach { network.reattach = nil }
    let runtime: NetworkRuntime
    let socket: UDPSocket
    do {
        let session = try await ExOS.attach(tenant: options.tenant, socketPath: options.socket)
        runtime = try await NetworkRuntime.start(session: session, options: network)
        guard let local = runtime.addresses.first(where: { $0.address == address }) else {
            StandardStreams.printError("udp-echo: tenant \(options.tenant) has no grant for \(address)")
            return .refused
        }
        socket = try await runtime.bindUDP(port: options.port, address: address)
        StandardStreams.print(
            "udp-echo: tenant \(options.tenant) serving udp \(address):\(options.port) mac \(local.mac) "
                + "(\(local.owned ? "owned address" : "shared address")), \(options.frames) frames, ring \(options.ringCapacity)"
                + (options.busyPoll ? ", busy-polling" : ""))
    } catch let error as ExOSError {
        StandardStreams.printError("udp-echo: \(error)")
        return ToolExitStatus(error)
    } catch {
        StandardStreams.printError("udp-echo: \(error)")
        return .refused
    }
    // The session's fate, one line each; the stream ends when the runtime stops.
    let events = Task { [events = runtime.events] in
        for await event in events { StandardStreams.printError("udp-echo: \(event)") }
    }
    var echoed = 0
    while options.count.map({ echoed < $0 }) ?? true {
        do throws(NetworkError) {
            let datagram = try await socket.receive()
            try await socket.send(datagram.payload, to: datagram.source)
            echoed += 1
            if !options.quiet { StandardStreams.print("echo \(datagram.payload.count) bytes from \(datagram.source.address):\(datagram.source.port)") }
        } catch .socket(let error) {
            StandardStreams.printError("udp-echo: \(error)")  // an ICMP error about an echo: keep serving
        } catch .sessionEnded {
            await events.value  // why (gave up: kicked, refused, out of time) comes first
            StandardStreams.printError("udp-echo: disconnected from exokerneld")
            return .protocolError
        } catch {
            StandardStreams.printError("udp-echo: \(error)")
            return .protocolError
        }
    }
    // Let the last echoes leave before the counters are printed and the session closes.
    try? await Task.sleep(for: .milliseconds(50))
    StandardStreams.print("udp-echo: echoed \(echoed) datagrams; \(describe(runtime.counters))")
    runtime.stop()
    return .success
}

/// The stack's drops by reason, for the log.
func describe(_ counters: StackCounters) -> String {
    let drops = DropReason.allCases.filter { counters[$0] > 0 }.map { "\($0.name)=\(counters[$0])" }
    return "received \(counters.framesReceived) frames, sent \(counters.framesTransmitted); dropped: "
        + (drops.isEmpty ? "none" : drops.joined(separator: " "))
}

// --version before anything else, as ArgumentParser's tools do.
if CommandLine.arguments.dropFirst().contains("--version") {
    StandardStreams.print(ExoVersion.line(for: "udp-echo"))
    exit(ToolExitStatus.success.rawValue)
}
switch EchoOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let usage):
    StandardStreams.printError("udp-echo: \(usage.message)\n\(EchoOptions.usage)")
    exit(ToolExitStatus.usage.rawValue)
case .success(let options) where options.help:
    StandardStreams.print(EchoOptions.usage)
    exit(0)
case .success(let options):
    // Synchronous so far (no thread but this one): drop privileges, then start the async world.
    let identity = options.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
    TenantMain.run(name: "udp-echo", droppingTo: identity) { await runEcho(options) }
}
