// `exobench udp-count`: the udp-rate kernel receiver. Counts datagrams arriving on a bound UDP
// socket with recvmmsg until traffic stops, as the kernel's socket path delivers them.

import ArgumentParser
import CExoShims
import ExoPlatform
import Glibc

struct UDPCountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp-count",
        abstract: "Count UDP datagrams on a bound socket with recvmmsg (the udp-rate kernel receiver).",
        discussion: """
            Prints "udp-count: ready" once bound, then, when datagrams have arrived and then none \
            for --idle-ms (or after --max-seconds), "udp-count: result packets=N seconds=S" with S \
            from the first batch to the last.
            """,
        shouldDisplay: false)

    @Option(name: .long, help: "Local A.B.C.D:PORT to bind.")
    var bind: String

    @Option(name: .long, help: "Datagrams per recvmmsg call (1...256).")
    var batch = 256

    @Option(name: .long, help: "Socket receive buffer in bytes (SO_RCVBUFFORCE).")
    var receiveBuffer: Int32 = 4 << 20

    @Option(name: .long, help: "Stop when nothing arrived for this long after the first datagram.")
    var idleMs = 300

    @Option(name: .long, help: "Stop after this long whatever happens.")
    var maxSeconds = 60.0

    func validate() throws {
        guard SocketEndpoint(bind) != nil else { throw ValidationError("--bind must be A.B.C.D:PORT") }
        guard (1...Int(CEXO_BATCH_MAX)).contains(batch) else { throw ValidationError("--batch must be in 1...\(CEXO_BATCH_MAX)") }
        guard idleMs > 0, maxSeconds > 0, receiveBuffer > 0 else { throw ValidationError("--idle-ms, --max-seconds, --receive-buffer must be positive") }
    }

    func run() throws {
        let socket: BenchSocket
        do {
            socket = try BenchSocket.udpBound(to: SocketEndpoint(bind)!, receiveBuffer: receiveBuffer, timeoutMilliseconds: 20)
        } catch {
            Console.error("exobench udp-count: \(error)")
            throw ExitCode(1)
        }
        Console.out("udp-count: ready on \(bind)")
        let stride = 2048
        var buffers = [UInt8](repeating: 0, count: stride * batch)
        var packets = 0
        var first: UInt64 = 0
        var last: UInt64 = 0
        let deadline = MonotonicClock.nanoseconds() + UInt64(maxSeconds * 1e9)
        let idle = UInt64(idleMs) * 1_000_000
        buffers.withUnsafeMutableBytes { raw in
            while true {
                let received = cexo_receive_batch(socket.fd, raw.baseAddress, stride, Int32(batch), nil)
                let now = MonotonicClock.nanoseconds()
                if received > 0 {
                    if packets == 0 { first = now }
                    packets += Int(received)
                    last = now
                    continue
                }
                if packets > 0, now - last >= idle { return }
                if now >= deadline { return }
            }
        }
        Console.out("udp-count: result packets=\(packets) seconds=\(Double(last - first) / 1e9)")
    }
}
