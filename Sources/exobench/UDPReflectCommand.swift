// `exobench udp-reflect`: the udp-rtt kernel echo server. A bound UDP socket that sends every
// datagram back to its sender, blocking in recvfrom between them (Linux on both ends).

import ArgumentParser
import ExoPlatform
import Glibc

struct UDPReflectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp-reflect",
        abstract: "Echo UDP datagrams with the kernel's sockets (the udp-rtt kernel echo server).",
        discussion: """
            Prints "udp-reflect: ready on A:P" once bound, then echoes until --max-seconds pass or \
            it is terminated, and prints "udp-reflect: result echoed=N".
            """,
        shouldDisplay: false)

    @Option(name: .long, help: "Local A.B.C.D:PORT to bind.")
    var bind: String

    @Option(name: .long, help: "Stop after this long whatever happens.")
    var maxSeconds = 600.0

    func validate() throws {
        guard SocketEndpoint(bind) != nil else { throw ValidationError("--bind must be A.B.C.D:PORT") }
        guard maxSeconds > 0 else { throw ValidationError("--max-seconds must be positive") }
    }

    func run() throws {
        let socket: BenchSocket
        do {
            socket = try BenchSocket.udpBound(to: SocketEndpoint(bind)!, receiveBuffer: 1 << 20, timeoutMilliseconds: 100)
        } catch {
            Console.error("exobench udp-reflect: \(error)")
            throw ExitCode(1)
        }
        installInterruptHandlers()
        Console.out("udp-reflect: ready on \(bind)")
        var buffer = [UInt8](repeating: 0, count: 2048)
        var echoed = 0
        let deadline = MonotonicClock.nanoseconds() + UInt64(maxSeconds * 1e9)
        buffer.withUnsafeMutableBytes { raw in
            var peer = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            while MonotonicClock.nanoseconds() < deadline, !benchInterrupted.load(ordering: .relaxed) {
                let read = withUnsafeMutablePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket.fd, raw.baseAddress, raw.count, 0, $0, &length) }
                }
                guard read >= 0 else { continue }  // the receive timeout: look at the clock
                let sent = withUnsafePointer(to: &peer) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket.fd, raw.baseAddress, read, 0, $0, length) }
                }
                if sent == read { echoed += 1 }
            }
        }
        Console.out("udp-reflect: result echoed=\(echoed)")
    }
}
