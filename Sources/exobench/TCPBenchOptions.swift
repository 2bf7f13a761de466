// Options tcp-bulk and tcp-rr share: where the tools are, the tenant's uid and the ExOS
// tenant's data-path choices (kept consistent: the frames split half fill, half transmit,
// and the fill half must fit the ring).

import ArgumentParser
import Foundation
import Glibc

struct TCPBenchOptions: ParsableArguments {
    @Option(name: .long, help: "Directory holding exokerneld and exobench (default: this executable's).")
    var binDir: String?

    @Option(name: .long, help: "uid the ExOS client runs as (the tenant's uid; not root).")
    var tenantUid: UInt32 = 60_201

    @Option(name: .long, help: "ExOS NetworkOptions.frames, and the tenant's quota (2...253: one allocation batch).")
    var frames = 252

    @Option(name: .long, help: "ExOS NetworkOptions.ringCapacity (a power of two ≥ frames/2).")
    var ringCapacity = 128

    @Flag(name: .long, help: "ExOS NetworkOptions.busyPoll: the tenant's stack thread spins.")
    var busyPoll = false

    @Option(name: .long, help: "The ExOS connection's send and receive buffer, bytes.")
    var buffer = 1024 * 1024

    @Option(name: .long, help: "ExOS NetworkOptions.spin: microseconds the stack thread polls after its last packet.")
    var spinMicroseconds = 50  // NetworkOptions().spin

    @Flag(name: .long, help: "Every run's server on one port (later ExOS clients meet Linux's TIME_WAIT).")
    var samePort = false

    @Flag(name: .long, help: "The ExOS client keeps its TCP sequence key in a file across runs (SecretFile).")
    var keepSequenceKey = false

    @Option(name: .long, parsing: .upToNextOption, help: "Paths to run: kernel, exokernel (and vde for tcp-bulk).")
    var paths: [String] = []

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate(known: [String]) throws {
        guard (2...253).contains(frames) else { throw ValidationError("--frames must be in 2...253") }
        guard ringCapacity > 0, ringCapacity.nonzeroBitCount == 1, ringCapacity >= frames / 2 else {
            throw ValidationError("--ring-capacity must be a power of two of at least --frames / 2")
        }
        guard spinMicroseconds >= 0 else { throw ValidationError("--spin-microseconds must not be negative") }
        guard buffer >= 4096 else { throw ValidationError("--buffer must be at least 4096") }
        guard paths.allSatisfy(known.contains) else { throw ValidationError("--paths takes \(known.joined(separator: ", "))") }
        guard geteuid() == 0 else { throw ValidationError("needs root (namespaces, veth, vde_switch)") }
    }

    var tenant: TCPTenantOptions {
        TCPTenantOptions(
            frames: frames, ringCapacity: ringCapacity, busyPoll: busyPoll, buffer: buffer,
            spinMicroseconds: spinMicroseconds, samePort: samePort, keepSequenceKey: keepSequenceKey)
    }

    var directory: String { binDir ?? UDPRateCommand.ownDirectory }
}
