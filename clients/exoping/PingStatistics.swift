// What a ping run saw, and the lines ping(8) prints for it.

import ExOS

struct PingStatistics {
    var transmitted = 0
    var received = 0
    var errors = 0
    /// Round trips in milliseconds, in arrival order.
    var roundTrips: [Double] = []

    /// "5 packets transmitted, 4 received, 20% packet loss, time 4004ms" (and "+N errors").
    func summary(elapsedMilliseconds: Int) -> String {
        let loss = transmitted == 0 ? 0 : (transmitted - received) * 100 / transmitted
        let errorPart = errors > 0 ? ", +\(errors) errors" : ""
        return "\(transmitted) packets transmitted, \(received) received\(errorPart), \(loss)% packet loss, time \(elapsedMilliseconds)ms"
    }

    /// "rtt min/avg/max/mdev = a/b/c/d ms", or nil without any round trip.
    var roundTripLine: String? {
        guard !roundTrips.isEmpty else { return nil }
        let n = Double(roundTrips.count)
        let mean = roundTrips.reduce(0, +) / n
        let meanOfSquares = roundTrips.reduce(0) { $0 + $1 * $1 } / n
        let mdev = (max(meanOfSquares - mean * mean, 0)).squareRoot()
        let parts = [roundTrips.min()!, mean, roundTrips.max()!, mdev].map { Self.format($0) }
        return "rtt min/avg/max/mdev = \(parts.joined(separator: "/")) ms"
    }

    /// Three decimals, as ping prints them.
    static func format(_ milliseconds: Double) -> String {
        let thousandths = Int((milliseconds * 1000).rounded())
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
