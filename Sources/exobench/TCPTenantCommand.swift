// `exobench tcp-tenant`: the ExOS side of tcp-bulk and tcp-rr, a tenant of the benchmark's
// private exokerneld. Always the client: it connects to the Linux tool in the peer namespace,
// then sends, receives or runs request/response transactions, and prints one result line.
// tcp-bulk and tcp-rr start it through setpriv as the tenant's uid.

import ArgumentParser
import ExOS
import ExoPlatform
import Foundation

struct TCPTenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp-tenant",
        abstract: "The ExOS client of tcp-bulk and tcp-rr (started by them; prints one result line).",
        discussion: """
            Modes: source — send zeros for --seconds, then FIN; sink — read to the end of stream; \
            rr — 1-byte request/response transactions on one connection (TCP_NODELAY); cps — \
            connect, one transaction, the server's FIN, close, again. Prints `tcp-tenant: result \
            bytes=N seconds=S cpu=C` (transactions= or connections= for rr and cps; C: the \
            process's user + system CPU seconds).
            """)

    @Option(name: .long, help: "source, sink, rr or cps.")
    var mode: String

    @Option(name: .long, help: "The Linux peer, ADDRESS:PORT.")
    var remote: String

    @Option(name: .long, help: "Seconds to send (source) or to run transactions (rr, cps).")
    var seconds = 10.0

    @Option(name: .long, help: "Tenant to attach as.")
    var tenant = BenchDaemon.tenant

    @Option(name: .long, help: "exokerneld's control socket.")
    var socket: String

    @Option(name: .long, help: "NetworkOptions.frames (half fill, half transmit; at most the quota).")
    var frames = 256

    @Option(name: .long, help: "NetworkOptions.ringCapacity (a power of two).")
    var ringCapacity: UInt32 = 128

    @Option(name: .long, help: "Send and receive buffer bytes of the connection.")
    var buffer = 1024 * 1024

    @Flag(name: .long, help: "NetworkOptions.busyPoll: the stack thread spins.")
    var busyPoll = false

    @Option(name: .long, help: "NetworkOptions.sequenceSecret from this file (SecretFile.loadOrCreate).")
    var sequenceKeyFile: String?

    @Option(name: .long, help: "NetworkOptions.spin: microseconds the stack thread polls after its last packet.")
    var spinMicroseconds = 50  // NetworkOptions().spin

    func validate() throws {
        guard ["source", "sink", "rr", "cps"].contains(mode) else { throw ValidationError("--mode: source, sink, rr or cps") }
        guard endpoint != nil else { throw ValidationError("--remote takes ADDRESS:PORT") }
        guard seconds > 0, frames > 0, buffer > 0 else { throw ValidationError("--seconds, --frames, --buffer must be positive") }
    }

    var endpoint: IPv4Endpoint? {
        let parts = remote.split(separator: ":")
        guard parts.count == 2, let address = IPv4Address(String(parts[0])), let port = UInt16(parts[1]) else { return nil }
        return IPv4Endpoint(address: address, port: port)
    }

    func run() async throws {
        do throws(BenchError) {
            let line = try await measure()
            Console.out("tcp-tenant: result \(line) cpu=\(Self.processCPUSeconds())")
        } catch {
            Console.error("exobench tcp-tenant: \(error)")
            throw ExitCode(1)
        }
    }

    /// User plus system CPU seconds of the whole process so far (every thread: the stack
    /// thread, the application's tasks): what ExOS cost, whatever the machine's load.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private func measure() async throws(BenchError) -> String {
        let runtime: NetworkRuntime
        do {
            let session = try await ExOS.attach(tenant: tenant, socketPath: socket)
            var options = NetworkOptions()
            options.frames = frames
            options.ringCapacity = ringCapacity
            options.busyPoll = busyPoll
            options.spin = .microseconds(spinMicroseconds)
            if let sequenceKeyFile { options.sequenceSecret = try SecretFile.loadOrCreate(path: sequenceKeyFile) }
            runtime = try await NetworkRuntime.start(session: session, options: options)
        } catch {
            throw BenchError("attach: \(error)")
        }
        defer { runtime.stop() }
        let connection = TCPConnectionOptions(noDelay: mode == "rr" || mode == "cps", sendBufferSize: buffer, receiveBufferSize: buffer)
        let workload = TCPTenantWorkload(runtime: runtime, remote: endpoint!, options: connection, seconds: seconds)
        do throws(NetworkError) {
            let line: String
            switch mode {
            case "source": line = try await workload.source()
            case "sink": line = try await workload.sink()
            case "rr": line = try await workload.requestResponse()
            default: line = try await workload.connections()
            }
            // The last ACKs and FIN retransmissions go before the session closes.
            await runtime.drainTCP(within: .seconds(2))
            return line
        } catch {
            throw BenchError("\(mode): \(error)")
        }
    }
}

/// The four workloads over one runtime; each returns its result's `key=value` fields.
struct TCPTenantWorkload {
    let runtime: NetworkRuntime
    let remote: IPv4Endpoint
    let options: TCPConnectionOptions
    let seconds: Double

    private func now() -> Double { Double(MonotonicClock.nanoseconds()) / 1e9 }

    func source() async throws(NetworkError) -> String {
        let connection = try await runtime.connectTCP(to: remote, options: options)
        let chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let start = now()
        var total = 0
        while now() < start + seconds {
            try await connection.write(chunk)
            total += chunk.count
        }
        try connection.shutdownWrite()
        while try await !connection.read().isEmpty {}
        let elapsed = now() - start
        await connection.close()
        return "bytes=\(total) seconds=\(elapsed)"
    }

    func sink() async throws(NetworkError) -> String {
        let connection = try await runtime.connectTCP(to: remote, options: options)
        var total = 0
        var first: Double?
        while true {
            let bytes = try await connection.read(maximumLength: 256 * 1024)
            if bytes.isEmpty { break }
            if first == nil { first = now() }
            total += bytes.count
        }
        let elapsed = first.map { now() - $0 } ?? 0
        await connection.close()
        return "bytes=\(total) seconds=\(elapsed)"
    }

    func requestResponse() async throws(NetworkError) -> String {
        let connection = try await runtime.connectTCP(to: remote, options: options)
        let request: [UInt8] = [UInt8(ascii: "r")]
        let start = now()
        var count = 0
        while now() < start + seconds {
            try await connection.write(request)
            guard try await connection.read(maximumLength: 1) == request else { throw .closed }
            count += 1
        }
        let elapsed = now() - start
        await connection.close()
        return "transactions=\(count) seconds=\(elapsed)"
    }

    func connections() async throws(NetworkError) -> String {
        let request: [UInt8] = [UInt8(ascii: "c")]
        let start = now()
        var count = 0
        while now() < start + seconds {
            let connection = try await runtime.connectTCP(to: remote, options: options)
            try await connection.write(request)
            guard try await connection.read(maximumLength: 1) == request else { throw .closed }
            while try await !connection.read().isEmpty {}
            await connection.close()
            count += 1
        }
        return "connections=\(count) seconds=\(now() - start)"
    }
}
