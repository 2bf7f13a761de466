// `exobench udp-blast`: the udp-rate sender. Sends minimum-size UDP datagrams as fast as it
// can for a fixed time, in sendmmsg batches, through a UDP socket or as raw AF_PACKET frames.

import ArgumentParser
import CExoShims
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc

struct UDPBlastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udp-blast",
        abstract: "Send 64-byte-frame UDP (18-byte payload) as fast as possible (the udp-rate sender).",
        discussion: """
            Prints "udp-blast: result sent=N seconds=S rate=R errors=E": datagrams the kernel \
            accepted, the time spent sending, and refused sendmmsg calls (ENOBUFS, EAGAIN). With \
            --raw IFNAME it writes whole Ethernet frames on an AF_PACKET socket bound to IFNAME \
            (qdisc bypassed), built from --source, --source-mac and --destination-mac; otherwise it \
            sends on a UDP socket connected to --to (the kernel's own IP/UDP output and neighbour \
            lookup).
            """,
        shouldDisplay: false)

    @Option(name: .long, help: "Destination A.B.C.D:PORT.")
    var to: String

    @Option(name: .long, help: "Source UDP port.")
    var sourcePort: UInt16 = 40_000

    @Option(name: .long, help: "Seconds to send.")
    var seconds = 2.0

    @Option(name: .long, help: "Datagrams per sendmmsg call (1...256).")
    var batch = 64

    @Option(name: .long, help: "Send raw frames on this interface (AF_PACKET) instead of a UDP socket.")
    var raw: String?

    @Option(name: .long, help: "With --raw: the frames' source IPv4 address.")
    var source: String?

    @Option(name: .long, help: "With --raw: the frames' source MAC.")
    var sourceMac: String?

    @Option(name: .long, help: "With --raw: the frames' destination MAC.")
    var destinationMac: String?

    func validate() throws {
        guard SocketEndpoint(to) != nil else { throw ValidationError("--to must be A.B.C.D:PORT") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard (1...Int(CEXO_BATCH_MAX)).contains(batch) else { throw ValidationError("--batch must be in 1...\(CEXO_BATCH_MAX)") }
        if raw != nil {
            guard source.flatMap(IPv4Address.init) != nil, sourceMac.flatMap(MACAddress.init) != nil,
                destinationMac.flatMap(MACAddress.init) != nil
            else { throw ValidationError("--raw needs --source, --source-mac and --destination-mac") }
        }
    }

    func run() throws {
        let peer = SocketEndpoint(to)!
        let socket: BenchSocket
        var message: [UInt8]
        do {
            if let raw, let source = source.flatMap(IPv4Address.init), let sourceMAC = sourceMac.flatMap(MACAddress.init),
                let destinationMAC = destinationMac.flatMap(MACAddress.init)
            {
                socket = try BenchSocket.packetSender(interface: raw)
                message = BenchPackets.udp(
                    from: sourceMAC, to: destinationMAC, source, sourcePort, peer.address, peer.port)
            } else {
                socket = try BenchSocket.udpConnected(to: peer, sourcePort: sourcePort)
                message = (0..<BenchPackets.udpPayload).map { UInt8(0x41 + $0) }
            }
        } catch {
            Console.error("exobench udp-blast: \(error)")
            throw ExitCode(1)
        }
        var sent = 0
        var errors = 0
        let start = MonotonicClock.nanoseconds()
        let deadline = start + UInt64(seconds * 1e9)
        var now = start
        message.withUnsafeBytes { bytes in
            while now < deadline {
                let result = cexo_send_batch(socket.fd, bytes.baseAddress, bytes.count, Int32(batch))
                if result > 0 { sent += Int(result) } else { errors += 1 }
                now = MonotonicClock.nanoseconds()
            }
        }
        let elapsed = Double(now - start) / 1e9
        Console.out("udp-blast: result sent=\(sent) seconds=\(elapsed) rate=\(Int(Double(sent) / elapsed)) errors=\(errors)")
    }
}
