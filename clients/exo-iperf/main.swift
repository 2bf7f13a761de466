// exo-iperf: an iperf3-compatible server on ExOS's TCP. Drops root first (before any thread
// exists), attaches, starts the stack, and hands every connection, once it sent its cookie,
// to the server (a test's control connection or one of its streams).

import ExOS
import IperfCore

let command = ExoIperf.parseOrExit()
let identity = command.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
TenantMain.run(name: "exo-iperf", droppingTo: identity, exitStatus: { await serve(command) })

func serve(_ command: ExoIperf) async -> Int32 {
    let listener: TCPListener
    do {
        let session = try await ExOS.attach(tenant: command.tenant, socketPath: command.socket)
        var options = NetworkOptions()
        options.frames = command.frames
        options.busyPoll = command.busyPoll
        let runtime = try await NetworkRuntime.start(session: session, options: options)
        listener = try await runtime.listenTCP(port: command.port, address: command.address.flatMap(IPv4Address.init))
        StandardStreams.print("exo-iperf: tenant \(command.tenant) listening on tcp \(listener.localEndpoint)")
    } catch {
        StandardStreams.printError("exo-iperf: \(error)")
        return 2
    }
    let server = IperfServer()
    let status = await withTaskGroup(of: Int32.self) { group in
        // With -1 the first test's end ends the server; otherwise only a failing accept does.
        if command.oneOff { group.addTask { await server.firstTestStatus() } }
        group.addTask {
            await withDiscardingTaskGroup { connections in
                while true {
                    do throws(NetworkError) {
                        let connection = try await listener.accept()
                        connections.addTask {
                            guard let cookie = await CookieReader.read(from: connection) else { return }
                            await server.arrived(connection, cookie: cookie)
                        }
                    } catch {
                        // Cancelled: -1's test ended and the server is closing; anything else fails.
                        if error != .cancelled { StandardStreams.printError("exo-iperf: \(error)") }
                        return
                    }
                }
            }
            return 2
        }
        let status = await group.next() ?? 2
        group.cancelAll()
        return status
    }
    await listener.close()
    await listener.runtime.drainTCP(within: .seconds(2))
    listener.runtime.stop()
    return status
}
