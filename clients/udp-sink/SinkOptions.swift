// The udp-sink command line, parsed by hand (the client links only ExOS, ExoWire and
// ExoPlatform): tenant, address and UDP port to bind, frames, ring size and when to stop.

import ExoWire
import ExoPacket

struct SinkOptions {
    var tenant = ""
    var address: IPv4Address?
    var port: UInt16 = 0
    var socket: String?
    var frames = 1024
    var ringCapacity: UInt32 = 1024
    var batch = 256
    var asUID: UInt32?
    /// Stop once packets have arrived and then none for this long.
    var idleMilliseconds = 300
    /// Stop after this long whatever happens (nil: only by idleness).
    var maxSeconds: Double?

    static let usage = """
        usage: udp-sink --tenant NAME --address A --port P [--socket PATH] [--as-uid UID]
                        [--frames N] [--ring-capacity C] [--batch B] [--idle-ms T] [--max-seconds S]
               udp-sink --version
          A library-OS UDP receiver on exokerneld's data path, for benchmarks: attaches as tenant
          NAME, maps N frames (default 1024), opens the data path (C slots per ring, default
          1024), binds udp A:P, keeps the fill ring topped up and consumes rx in batches of up to
          B (default 256). It prints "udp-sink: ready" once bound, and when packets have come and
          then stopped for T ms (default 300), or after S seconds, one line
          "udp-sink: result packets=N matched=M seconds=D rate=R" (D from first to last packet).
          --as-uid drops root to that uid (and its group) first.
        """

    static func parse(_ arguments: [String]) -> Result<SinkOptions, SinkUsageError> {
        var options = SinkOptions()
        var rest = arguments[...]
        func value(_ flag: String) throws(SinkUsageError) -> String {
            guard let next = rest.popFirst() else { throw SinkUsageError("\(flag) needs a value") }
            return next
        }
        func number<N: LosslessStringConvertible>(_ flag: String, _: N.Type) throws(SinkUsageError) -> N {
            let text = try value(flag)
            guard let parsed = N(text) else { throw SinkUsageError("\(flag): not a number: \(text)") }
            return parsed
        }
        do throws(SinkUsageError) {
            while let flag = rest.popFirst() {
                switch flag {
                case "--tenant": options.tenant = try value(flag)
                case "--address":
                    let text = try value(flag)
                    guard let address = IPv4Address(text) else { throw SinkUsageError("--address: not an IPv4 address: \(text)") }
                    options.address = address
                case "--port": options.port = try number(flag, UInt16.self)
                case "--socket": options.socket = try value(flag)
                case "--frames": options.frames = try number(flag, Int.self)
                case "--ring-capacity": options.ringCapacity = try number(flag, UInt32.self)
                case "--batch": options.batch = try number(flag, Int.self)
                case "--as-uid": options.asUID = try number(flag, UInt32.self)
                case "--idle-ms": options.idleMilliseconds = try number(flag, Int.self)
                case "--max-seconds": options.maxSeconds = try number(flag, Double.self)
                default: throw SinkUsageError("unknown argument \(flag)")
                }
            }
            if options.tenant.isEmpty { throw SinkUsageError("--tenant is required") }
            if options.address == nil { throw SinkUsageError("--address is required") }
            if options.port == 0 { throw SinkUsageError("--port is required (1-65535)") }
            if options.frames < 1 { throw SinkUsageError("--frames must be at least 1") }
            if !(1...4096).contains(options.batch) { throw SinkUsageError("--batch must be in 1...4096") }
            if options.idleMilliseconds < 1 { throw SinkUsageError("--idle-ms must be at least 1") }
            if let seconds = options.maxSeconds, !(seconds > 0) { throw SinkUsageError("--max-seconds must be positive") }
        } catch {
            return .failure(error)
        }
        return .success(options)
    }
}

struct SinkUsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
