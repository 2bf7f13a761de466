// httpd: an HTTP/1.1 static file server on ExOS's TCP. Drops root first (before any thread
// exists), attaches, starts the stack, and serves each connection in a task of its own, at
// most --max-connections at once (beyond that, connections wait in the listener's queue).

import ExOS
import HTTPCore

let command = HTTPD.parseOrExit()
let identity = command.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
TenantMain.run(name: "httpd", droppingTo: identity, exitStatus: { await serve(command) })

func serve(_ command: HTTPD) async -> Int32 {
    let listener: TCPListener
    let directory: ServedDirectory
    do {
        // Resolved as the tenant's uid: what it cannot search, it cannot serve.
        directory = try ServedDirectory(path: command.root)
        let session = try await ExOS.attach(tenant: command.tenant, socketPath: command.socket)
        var options = NetworkOptions()
        options.frames = command.frames
        // Room for every served connection and as many closing ones.
        options.limits.tcpConnections = max(options.limits.tcpConnections, 2 * command.maxConnections + 64)
        let runtime = try await NetworkRuntime.start(session: session, options: options)
        listener = try await runtime.listenTCP(port: command.port, address: command.address.flatMap(IPv4Address.init))
        StandardStreams.print("httpd: tenant \(command.tenant) serving \(directory.root) on tcp \(listener.localEndpoint)")
    } catch {
        StandardStreams.printError("httpd: \(error)")
        return 2
    }
    let slots = ConnectionSlots(limit: command.maxConnections)
    await withDiscardingTaskGroup { group in
        while true {
            await slots.acquire()
            do throws(NetworkError) {
                let connection = try await listener.accept()
                group.addTask {
                    await HTTPConnectionServer(
                        connection: connection, directory: directory, quiet: command.quiet,
                        headTimeout: .seconds(command.idleTimeout)
                    ).run()
                    await slots.release()
                }
            } catch {
                StandardStreams.printError("httpd: \(error)")
                return
            }
        }
    }
    return 2
}
