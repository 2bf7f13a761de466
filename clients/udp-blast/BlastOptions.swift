// The udp-blast command line, parsed by hand (the client links only ExOS and the packet and
// wire layers): tenant, source endpoint, destination, frames, ring size and how long to send.

import ExoWire
import ExoPacket

struct BlastOptions {
    var tenant = ""
    var address: IPv4Address?
    var port: UInt16 = 40_000
    var destination: IPv4Address?
    var destinationPort: UInt16 = 0
    var destinationMAC: MACAddress?
    var socket: String?
    var frames = 512
    var ringCapacity: UInt32 = 512
    var batch = 64
    var seconds = 2.0
    var asUID: UInt32?

    static let usage = """
        usage: udp-blast --tenant NAME --address A [--port P] --to D:Q --destination-mac M
                         [--socket PATH] [--as-uid UID] [--frames N] [--ring-capacity C]
                         [--batch B] [--seconds S]
               udp-blast --version
          A library-OS UDP sender on exokerneld's data path, for benchmarks (exobench udp-rate
          --direction tx): attaches as tenant NAME, maps N frames (default 512) as its transmit
          pool, opens the data path (C slots per ring, default 512), and for S seconds (default
          2) sends 64-byte frames (60 bytes and the FCS: an 18-byte UDP payload) from A:P
          (default port 40000) to D:Q at Ethernet address M, B frames per flush (default 64).
          Every frame passes the daemon's egress guard. Prints "udp-blast: ready ..." and then
          "udp-blast: result sent=N seconds=S rate=R completed=C" (N: frames posted on the tx
          ring; C: handed back; what the daemon sent or refused: exoctl stats).
          --as-uid drops root to that uid (and its group) first. --help prints this.
        """

    static func parse(_ arguments: [String]) -> Result<BlastOptions, BlastUsageError> {
        var options = BlastOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws(BlastUsageError) -> String {
            guard let next = rest.popFirst() else { throw BlastUsageError("\(flag) needs a value") }
            return next
        }
        func number<N: LosslessStringConvertible>(_ flag: String, _: N.Type) throws(BlastUsageError) -> N {
            let text = try value(flag)
            guard let parsed = N(text) else { throw BlastUsageError("\(flag): not a number: \(text)") }
            return parsed
        }
        do throws(BlastUsageError) {
            while let flag = rest.popFirst() {
                switch flag {
                case "--tenant": options.tenant = try value(flag)
                case "--address":
                    let text = try value(flag)
                    guard let address = IPv4Address(text) else { throw BlastUsageError("--address: not an IPv4 address: \(text)") }
                    options.address = address
                case "--port": options.port = try number(flag, UInt16.self)
                case "--to":
                    let text = try value(flag)
                    let parts = text.split(separator: ":")
                    guard parts.count == 2, let address = IPv4Address(String(parts[0])), let port = UInt16(parts[1]), port != 0
                    else { throw BlastUsageError("--to: not A.B.C.D:PORT: \(text)") }
                    options.destination = address
                    options.destinationPort = port
                case "--destination-mac":
                    let text = try value(flag)
                    guard let mac = MACAddress(text) else { throw BlastUsageError("--destination-mac: not a MAC: \(text)") }
                    options.destinationMAC = mac
                case "--socket": options.socket = try value(flag)
                case "--frames": options.frames = try number(flag, Int.self)
                case "--ring-capacity": options.ringCapacity = try number(flag, UInt32.self)
                case "--batch": options.batch = try number(flag, Int.self)
                case "--seconds": options.seconds = try number(flag, Double.self)
                case "--as-uid": options.asUID = try number(flag, UInt32.self)
                default: throw BlastUsageError("unknown argument \(flag)")
                }
            }
            if options.tenant.isEmpty { throw BlastUsageError("--tenant is required") }
            if options.address == nil { throw BlastUsageError("--address is required") }
            if options.destination == nil { throw BlastUsageError("--to is required") }
            if options.destinationMAC == nil { throw BlastUsageError("--destination-mac is required") }
            if options.frames < 1 { throw BlastUsageError("--frames must be at least 1") }
            if !(1...1024).contains(options.batch) { throw BlastUsageError("--batch must be in 1...1024") }
            if !(options.seconds > 0) { throw BlastUsageError("--seconds must be positive") }
        } catch {
            return .failure(error)
        }
        return .success(options)
    }
}

struct BlastUsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
