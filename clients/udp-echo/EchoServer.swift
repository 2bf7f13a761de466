// The echo server's loop on the data path: receive a batch, classify each frame, answer in
// place (the received frame becomes the transmit frame), flush, and sleep when idle.

import ExOS
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

/// Serves until `limit` echoes (nil: forever). Returns the number of datagrams echoed.
struct EchoServer {
    let path: DataPath
    let responder: EchoResponder
    /// Never sleep when idle: poll rx in a loop (checking the session only now and then).
    var busyPoll = false
    /// No line per echo.
    var quiet = false
    /// Polling continues this long after the last frame before the server sleeps.
    var spinNanoseconds: UInt64 = 0
    var echoed = 0
    var arpReplies = 0
    var drops: [EchoDrop: Int] = [:]

    init(path: DataPath, responder: EchoResponder) {
        self.path = path
        self.responder = responder
    }

    mutating func serve(limit: Int?) throws(DataPathError) {
        var idlePolls: UInt32 = 0
        var lastWork = MonotonicClock.nanoseconds()
        while limit.map({ echoed < $0 }) ?? true {
            var handled = 0
            do {
                var batch = path.receive(max: 64)
                while let packet = batch.next() {
                    handled += 1
                    handle(packet)
                }
            }
            path.flush()
            if handled > 0 {
                idlePolls = 0
                if spinNanoseconds > 0 { lastWork = MonotonicClock.nanoseconds() }
            } else if spinNanoseconds > 0, !busyPoll, MonotonicClock.nanoseconds() &- lastWork < spinNanoseconds {
                sched_yield()
            } else if !busyPoll {
                _ = try path.wait(timeout: .seconds(1))
            } else {
                // A zero-timeout wait every 2^16 idle polls notices a session that ended; the
                // CPU goes to any other runnable thread (the daemon, the peer) in between.
                idlePolls &+= 1
                if idlePolls & 0xFFFF == 0 { _ = try path.wait(timeout: .zero) } else { sched_yield() }
            }
        }
        // Let the last echoes complete (bounded), so the counters printed at exit are whole.
        for _ in 0..<10 where path.census()[.txPosted] + path.census()[.txStaged] > 0 {
            _ = try path.wait(timeout: .milliseconds(20))
        }
    }

    private mutating func handle(_ packet: consuming ReceivedPacket) {
        let responder = self.responder
        let verdict = packet.withBytes { span in PacketBytes.with(span) { responder.classify($0) } }
        switch verdict {
        case .drop(let reason):
            drops[reason, default: 0] += 1
            packet.recycle()
        case .arpReply(let length):
            var slot = packet.reuseForTransmit()
            slot.withMutableBytes { span in
                span.withUnsafeMutableBytes { responder.writeARPReply(into: MutablePacketBytes(unsafeBuffer: $0).prefix(length)) }
            }
            slot.send(length: length)
            arpReplies += 1
        case .echo(let length, let payload, let from, let port):
            var slot = packet.reuseForTransmit()
            let echoLength = slot.withMutableBytes { span in
                span.withUnsafeMutableBytes { responder.writeEcho(into: MutablePacketBytes(unsafeBuffer: $0).prefix(length)) }
            }
            slot.send(length: echoLength)
            echoed += 1
            if !quiet { Console.out("echo \(payload) bytes from \(from):\(port)") }
        }
    }

    /// One line of totals for the log.
    var summary: String {
        let dropped = EchoDrop.allCases.compactMap { reason in drops[reason].map { "\(reason.rawValue)=\($0)" } }
        return "echoed \(echoed) datagrams, \(arpReplies) ARP replies; dropped: "
            + (dropped.isEmpty ? "none" : dropped.joined(separator: " "))
    }
}
