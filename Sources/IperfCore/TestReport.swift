// What one test measured, for the server's own output: each stream's bytes as this side
// counted them, over how long, and what the client reported for its side.

/// Which way a stream's bytes go, seen from the server.
public enum StreamRole: String, Sendable, Equatable {
    case receiving
    case sending
}

/// A stream the server accepted: the id the client will look it up by, and its role.
public struct StreamAssignment: Equatable, Sendable {
    public var id: Int
    public var role: StreamRole

    public init(id: Int, role: StreamRole) {
        self.id = id
        self.role = role
    }
}

/// A finished (or stopped) test as the server saw it.
public struct TestReport: Equatable, Sendable {
    public var plan: TestPlan
    public var streams: [StreamAssignment]
    /// Bytes per stream, in the order of `streams`.
    public var bytes: [UInt64]
    /// The measured time: from the test's start (after `omit`) to the client's TEST_END.
    public var seconds: Double
    /// The client's results message, once received.
    public var clientResults: TestResults?

    /// Bytes over the streams of one role.
    public func total(_ role: StreamRole) -> UInt64 {
        zip(streams, bytes).reduce(0) { $0 + ($1.0.role == role ? $1.1 : 0) }
    }

    /// One line for logs and tests: `received=N sent=N seconds=S streams=P direction=D`, and
    /// the client's view when known (`client.sent=N client.received=N`).
    public var summary: String {
        var words = [
            "direction=\(plan.direction.rawValue)", "streams=\(plan.streams)",
            "received=\(total(.receiving))", "sent=\(total(.sending))",
            "seconds=\(Self.formatted(seconds))", "receive.mbps=\(Self.formatted(megabitsPerSecond(total(.receiving))))",
            "send.mbps=\(Self.formatted(megabitsPerSecond(total(.sending))))",
        ]
        if let sent = clientTotal(.receiving), let received = clientTotal(.sending) {
            words += ["client.sent=\(sent)", "client.received=\(received)"]
        }
        return words.joined(separator: " ")
    }

    /// What the client reported for the streams that have `role` here (its sending streams
    /// are our receiving ones), matched by id; nil before the client's results arrived.
    public func clientTotal(_ role: StreamRole) -> UInt64? {
        guard let client = clientResults else { return nil }
        let ids = Set(streams.filter { $0.role == role }.map(\.id))
        return client.streams.reduce(0) { $0 + (ids.contains($1.id) ? $1.bytes : 0) }
    }

    func megabitsPerSecond(_ bytes: UInt64) -> Double {
        seconds > 0 ? Double(bytes) * 8 / seconds / 1e6 : 0
    }

    static func formatted(_ value: Double) -> String {
        let hundredths = (value * 100).rounded()
        let whole = Int(hundredths / 100), fraction = Int(hundredths) % 100
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
