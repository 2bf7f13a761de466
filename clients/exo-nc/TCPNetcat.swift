// exo-nc's TCP modes: one connection (accepted or made), stdin to it with a FIN at the end
// of input, and what it sends to stdout until the peer's FIN.

import ExOS

func runTCPNetcat(_ command: Netcat) async -> Int32 {
    let connection: TCPConnection
    do {
        let session = try await ExOS.attach(tenant: command.tenant, socketPath: command.socket)
        var options = NetworkOptions()
        options.frames = 128
        let runtime = try await NetworkRuntime.start(session: session, options: options)
        if command.listen {
            let listener = try await runtime.listenTCP(port: UInt16(command.endpoint[0])!, backlog: 1)
            connection = try await listener.accept()
            await listener.close()
        } else {
            let remote = IPv4Endpoint(address: IPv4Address(command.endpoint[0])!, port: UInt16(command.endpoint[1])!)
            connection = try await runtime.connectTCP(to: remote, from: command.localPort)
        }
    } catch {
        StandardStreams.printError("exo-nc: \(error)")
        return 2
    }
    // The peer's bytes to stdout until its FIN.
    let receiver = Task { () -> Int32 in
        while true {
            do throws(NetworkError) {
                let bytes = try await connection.read()
                if bytes.isEmpty { return 0 }
                StandardStreams.write(bytes)
            } catch {
                StandardStreams.printError("exo-nc: \(error)")
                return 2
            }
        }
    }
    var status: Int32 = 0
    for await chunk in StandardStreams.inputChunks(maximum: 64 * 1024) {
        do throws(NetworkError) {
            try await connection.write(chunk)
        } catch {
            StandardStreams.printError("exo-nc: \(error)")
            status = 2
            break
        }
    }
    if status == 0 {
        do throws(NetworkError) {
            try connection.shutdownWrite()
        } catch {
            StandardStreams.printError("exo-nc: \(error)")
            status = 2
        }
    }
    let received = await receiver.value
    await connection.close()
    // Let the last ACK and our FIN's retransmissions go before the session closes.
    await connection.runtime.drainTCP(within: .seconds(2))
    connection.runtime.stop()
    return max(status, received)
}
