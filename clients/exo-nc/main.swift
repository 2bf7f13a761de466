// exo-nc: netcat's TCP and UDP modes on ExOS's stack. Parses, drops root (before any thread
// exists), attaches, and moves stdin to the peer and what the peer sends to stdout.

import ExOS
import Foundation
import Synchronization

let command = Netcat.parseOrExit()
// Synchronous so far (no thread but this one): drop privileges, then start the async world.
let identity = command.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
TenantMain.run(
    name: "exo-nc", droppingTo: identity,
    exitStatus: { command.udp ? await runNetcat(command) : await runTCPNetcat(command) })

func runNetcat(_ command: Netcat) async -> Int32 {
    let socket: UDPSocket
    let peer = Mutex<UDPEndpoint?>(nil)
    do {
        let session = try await ExOS.attach(tenant: command.tenant, socketPath: command.socket)
        let runtime = try await NetworkRuntime.start(session: session)
        if command.listen {
            socket = try await runtime.bindUDP(port: UInt16(command.endpoint[0])!)
        } else {
            socket = try await runtime.bindUDP(port: command.localPort)
            let remote = UDPEndpoint(address: IPv4Address(command.endpoint[0])!, port: UInt16(command.endpoint[1])!)
            try socket.connect(to: remote)
            peer.withLock { $0 = remote }
        }
    } catch {
        StandardStreams.printError("exo-nc: \(error)")
        return 2
    }
    // Datagrams to stdout; in listen mode the latest sender becomes the peer.
    let receiver = Task {
        while true {
            do throws(NetworkError) {
                let datagram = try await socket.receive()
                if command.listen { peer.withLock { $0 = datagram.source } }
                StandardStreams.write(datagram.payload)
            } catch .socket(let error) {
                StandardStreams.printError("exo-nc: \(error)")
            } catch {
                return
            }
        }
    }
    let maximum = socket.runtime.maximumUDPPayload
    for await chunk in StandardStreams.inputChunks(maximum: maximum) {
        // In listen mode, input waits for the first sender (netcat's way): nobody to answer yet.
        var destination = peer.withLock { $0 }
        while destination == nil {
            try? await Task.sleep(for: .milliseconds(10))
            destination = peer.withLock { $0 }
        }
        guard let destination else { continue }
        do throws(NetworkError) {
            try await socket.send(chunk, to: destination)
        } catch {
            StandardStreams.printError("exo-nc: \(error)")
            return 2
        }
    }
    if let wait = command.wait {
        try? await Task.sleep(for: .seconds(wait))
        receiver.cancel()
        await socket.close()
        socket.runtime.stop()
        return 0
    }
    await receiver.value
    return 0
}
