// `exoctl capture --tenant NAME [--count N] [--snaplen S] > file.pcap`: one tenant's frames,
// sent and received, as a classic pcap stream on stdout, one write per record.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire
import Glibc
import Synchronization

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Write one tenant's frames (sent and received) to stdout as pcap.",
        discussion: """
            Captures what the tenant sent (frames the egress guard allowed; denied frames are counted \
            by `exoctl stats`, not captured) and what the daemon posted on its rx rings, including \
            frames between tenants of this daemon. Stops after --count frames, when the tenant's \
            last session ends, or on SIGINT/SIGTERM or a closed stdout. Frames the daemon could not \
            send because this reader fell behind are reported as lost on stderr.
            Example: exoctl capture --tenant alice --count 100 > alice.pcap; tcpdump -r alice.pcap -nn
            """)

    @Option(name: .long, help: "The tenant to capture.")
    var tenant: String

    @Option(name: .long, help: "Stop after this many frames (0: until interrupted).")
    var count: UInt32 = 0

    @Option(name: .long, help: "Bytes kept of each frame (1...\(CaptureLimits.maxSnapLength)).")
    var snaplen: UInt32 = UInt32(CaptureLimits.maxSnapLength)

    @Option(name: .long, help: "Control socket path (default: $EXOKERNEL_SOCKET or \(SocketPath.defaultPath)).")
    var socket: String?

    func validate() throws {
        guard (1...UInt32(CaptureLimits.maxSnapLength)).contains(snaplen) else {
            throw ValidationError("--snaplen must lie in 1...\(CaptureLimits.maxSnapLength)")
        }
        guard isatty(1) == 0 else {
            throw ValidationError("refusing to write binary pcap to a terminal: redirect stdout to a file or a pipe")
        }
    }

    func run() throws {
        CaptureStop.install()
        let client = try CaptureClient(socketPath: socket, tenant: tenant, count: count, snapLength: snaplen)
        defer { client.close() }
        var written: UInt64 = 0
        guard PcapOutput.write(Pcap.fileHeader(snapLength: client.snapLength)) else {
            Console.error("exoctl: stdout closed before the capture began")
            return
        }
        while true {
            guard CaptureStop.waitReadable(client.descriptor) else {
                Console.error("exoctl: capture \(client.captureID) of \(tenant) interrupted: \(written) frames written")
                return
            }
            switch try client.next() {
            case .frame(let frame):
                let record = Pcap.record(
                    timestampNanoseconds: frame.timestampNanoseconds, originalLength: frame.originalLength,
                    captured: frame.bytes)
                guard PcapOutput.write(record) else {
                    Console.error("exoctl: stdout closed: \(written) frames written")
                    return
                }
                written += 1
            case .ended(let end):
                let lost = end.lost == 0 ? "" : ", \(end.lost) lost (this reader fell behind)"
                Console.error("exoctl: capture \(end.captureID) of \(tenant) ended (\(end.reason)): \(written) frames written\(lost)")
                return
            }
        }
    }
}

/// SIGINT and SIGTERM end the capture cleanly: the handler only sets a flag, which the read
/// loop checks at least every 200 ms. SIGPIPE is ignored so a closed stdout is EPIPE.
enum CaptureStop {
    static let requested = Atomic<Bool>(false)

    static func install() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGINT) { _ in CaptureStop.requested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in CaptureStop.requested.store(true, ordering: .relaxed) }
        // A parent may have spawned us with these blocked (the mask survives exec): unblock
        // them in this thread, so they reach the handler here.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
    }

    /// Waits until `fd` is readable (true) or a stop was requested (false).
    static func waitReadable(_ fd: Int32) -> Bool {
        while !requested.load(ordering: .relaxed) {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, 200) > 0 { return true }
        }
        return false
    }
}

/// Whole records to fd 1, so every record is on disk (or in the pipe) once written.
enum PcapOutput {
    /// Returns false when stdout is gone (EPIPE or another write error).
    static func write(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
