// tcp-echo: a TCP echo server on ExOS's TCP. Drops root first (before any thread exists),
// attaches, starts the stack, and serves every connection in a task of its own.

import ExOS
import Foundation

let command = TCPEcho.parseOrExit()
let identity = command.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
TenantMain.run(name: "tcp-echo", droppingTo: identity, exitStatus: { await serve(command) })

func serve(_ command: TCPEcho) async -> Int32 {
    let listener: TCPListener
    do {
        let session = try await ExOS.attach(tenant: command.tenant, socketPath: command.socket)
        var options = NetworkOptions()
        options.frames = command.frames
        options.busyPoll = command.busyPoll
        if command.noReattach { options.reattach = nil }
        let runtime = try await NetworkRuntime.start(session: session, options: options)
        listener = try await runtime.listenTCP(port: command.port, address: command.address.flatMap(IPv4Address.init))
        StandardStreams.print("tcp-echo: tenant \(command.tenant) listening on tcp \(listener.localEndpoint)")
    } catch {
        StandardStreams.printError("tcp-echo: \(error)")
        return 2
    }
    // The session's fate, one line each; the stream ends when the runtime stops.
    let events = Task { [events = listener.runtime.events] in
        for await event in events { StandardStreams.printError("tcp-echo: \(event)") }
    }
    let statistics = command.statsEvery.map { seconds in
        Task { [runtime = listener.runtime] in
            while (try? await Task.sleep(for: .seconds(seconds))) != nil {
                StandardStreams.print("tcp-echo: stats \(describe(runtime.counters))")
            }
        }
    }
    await withTaskGroup(of: Void.self) { group in
        var accepted = 0
        while command.count.map({ accepted < $0 }) ?? true {
            do throws(NetworkError) {
                let connection = try await listener.accept()
                accepted += 1
                group.addTask { await echo(connection, quiet: command.quiet) }
            } catch .sessionEnded {
                await events.value  // why (gave up: kicked, refused, out of time) comes first
                StandardStreams.printError("tcp-echo: disconnected from exokerneld")
                return
            } catch {
                StandardStreams.printError("tcp-echo: \(error)")
                return
            }
        }
        // --count: the last connections finish before the exit.
        await group.waitForAll()
    }
    await listener.close()
    await listener.runtime.drainTCP(within: .seconds(2))
    if let statistics {
        statistics.cancel()
        StandardStreams.print("tcp-echo: stats \(describe(listener.runtime.counters))")
    }
    listener.runtime.stop()
    return 0
}

/// Echoes until the peer's end of stream, then closes.
func echo(_ connection: TCPConnection, quiet: Bool) async {
    let peer = connection.info.map { "\($0.remote)" } ?? "?"
    var total = 0
    do throws(NetworkError) {
        while true {
            let bytes = try await connection.read()
            if bytes.isEmpty { break }
            try await connection.write(bytes)
            total += bytes.count
        }
        try connection.shutdownWrite()
    } catch {
        if !quiet { StandardStreams.printError("tcp-echo: \(peer): \(error)") }
    }
    await connection.close()
    if !quiet { StandardStreams.print("tcp-echo: \(peer): echoed \(total) bytes") }
}
