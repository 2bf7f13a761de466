// exoping: ping(8) from a library-OS tenant. Parses, drops root (before any thread exists),
// then attaches, starts the stack and pings; prints ping's per-reply lines and summary.

import ExOS
import Foundation
import Synchronization

let command = Exoping.parseOrExit()
let options = command.options
// Synchronous so far (no thread but this one): drop privileges, then start the async world.
let identity = options.asUID.map { uid in (uid: uid, gid: TenantMain.primaryGroup(of: uid)) }
TenantMain.run(name: "exoping", droppingTo: identity, exitStatus: { await runPing(options) })

/// Pings as `options` says; returns the exit status.
func runPing(_ options: PingOptions) async -> Int32 {
    let destination = IPv4Address(options.address)!
    let runtime: NetworkRuntime
    let pinger: Pinger
    do {
        let session = try await ExOS.attach(tenant: options.tenant, socketPath: options.socket)
        runtime = try await NetworkRuntime.start(session: session)
        let identifier = options.identifier ?? runtime.defaultEchoIdentifier()
        pinger = try await runtime.openPinger(identifier: identifier)
    } catch {
        StandardStreams.printError("exoping: \(error)")
        return 2
    }
    defer { runtime.stop() }
    StandardStreams.print("PING \(destination) (\(destination)) \(options.size)(\(options.size + 28)) bytes of data.")
    let statistics = Mutex(PingStatistics())
    let started = ContinuousClock.now
    // One task collects replies; this one sends on schedule, then waits out the timeout.
    let receiver = Task {
        while true {
            let event: PingEvent
            do { event = try await pinger.next() } catch { return }
            let line = statistics.withLock { s in record(event, into: &s) }
            if let line, !options.quiet { StandardStreams.print(line) }
            if statistics.withLock({ $0.received + $0.errors >= options.count }) { return }
        }
    }
    for sequence in 1...options.count {
        do {
            try pinger.send(to: destination, sequence: UInt16(truncatingIfNeeded: sequence), dataLength: options.size)
            statistics.withLock { $0.transmitted += 1 }
        } catch {
            StandardStreams.printError("exoping: \(error)")
            statistics.withLock { $0.errors += 1 }
        }
        if sequence < options.count { try? await Task.sleep(for: .seconds(options.interval)) }
    }
    let deadline = ContinuousClock.now + .seconds(options.timeout)
    while ContinuousClock.now < deadline, statistics.withLock({ $0.received + $0.errors < $0.transmitted }) {
        try? await Task.sleep(for: .milliseconds(5))
    }
    receiver.cancel()
    let elapsed = ContinuousClock.now - started
    let final = statistics.withLock { $0 }
    StandardStreams.print("")
    StandardStreams.print("--- \(destination) ping statistics ---")
    StandardStreams.print(final.summary(elapsedMilliseconds: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)))
    if let line = final.roundTripLine { StandardStreams.print(line) }
    return final.received > 0 ? 0 : 1
}

/// Counts `event`; returns ping's line for it.
func record(_ event: PingEvent, into statistics: inout PingStatistics) -> String? {
    switch event {
    case .reply(let reply):
        statistics.received += 1
        let milliseconds = Double(reply.roundTrip?.nanoseconds ?? 0) / 1e6
        if reply.roundTrip != nil { statistics.roundTrips.append(milliseconds) }
        let time = reply.roundTrip.map { " time=\(PingStatistics.format(Double($0.nanoseconds) / 1e6)) ms" } ?? ""
        return "\(reply.dataLength + 8) bytes from \(reply.from): icmp_seq=\(reply.sequence) ttl=\(reply.timeToLive)\(time)"
    case .error(let report):
        statistics.errors += 1
        return "From \(report.reporter) icmp_seq=\(report.destinationPort) \(describe(report))"
    case .hostUnreachable(let address):
        statistics.errors += 1
        return "From \(address) Destination Host Unreachable"
    }
}

func describe(_ report: ICMPErrorReport) -> String {
    switch (report.type, report.code) {
    case (3, 0): "Destination Net Unreachable"
    case (3, 1): "Destination Host Unreachable"
    case (3, 3): "Destination Port Unreachable"
    case (11, _): "Time to live exceeded"
    default: "ICMP type \(report.type) code \(report.code)"
    }
}
