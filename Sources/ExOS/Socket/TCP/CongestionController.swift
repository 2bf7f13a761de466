// The congestion control a connection holds: one enum case per algorithm, so the ACK path
// switches over a value instead of calling through an existential.

/// A connection's congestion control, forwarding each hook to the chosen algorithm's value.
enum CongestionController {
    case newReno(NewReno)
    case cubic(Cubic)

    init(_ algorithm: CongestionAlgorithm, maximumSegmentSize: Int, now: Instant) {
        switch algorithm {
        case .newReno: self = .newReno(NewReno(maximumSegmentSize: maximumSegmentSize, now: now))
        case .cubic: self = .cubic(Cubic(maximumSegmentSize: maximumSegmentSize, now: now))
        }
    }

    var algorithm: CongestionAlgorithm {
        switch self {
        case .newReno: .newReno
        case .cubic: .cubic
        }
    }

    var window: Int {
        switch self {
        case .newReno(let control): control.window
        case .cubic(let control): control.window
        }
    }

    var slowStartThreshold: Int {
        switch self {
        case .newReno(let control): control.slowStartThreshold
        case .cubic(let control): control.slowStartThreshold
        }
    }

    mutating func onAcknowledged(bytes: Int, inFlight: Int, rtt: Interval?, now: Instant) {
        switch self {
        case .newReno(var control):
            control.onAcknowledged(bytes: bytes, inFlight: inFlight, rtt: rtt, now: now)
            self = .newReno(control)
        case .cubic(var control):
            control.onAcknowledged(bytes: bytes, inFlight: inFlight, rtt: rtt, now: now)
            self = .cubic(control)
        }
    }

    mutating func onEnterRecovery(inFlight: Int, now: Instant) {
        switch self {
        case .newReno(var control):
            control.onEnterRecovery(inFlight: inFlight, now: now)
            self = .newReno(control)
        case .cubic(var control):
            control.onEnterRecovery(inFlight: inFlight, now: now)
            self = .cubic(control)
        }
    }

    mutating func onExitRecovery(now: Instant) {
        switch self {
        case .newReno(var control):
            control.onExitRecovery(now: now)
            self = .newReno(control)
        case .cubic(var control):
            control.onExitRecovery(now: now)
            self = .cubic(control)
        }
    }

    mutating func onRetransmissionTimeout(inFlight: Int, now: Instant) {
        switch self {
        case .newReno(var control):
            control.onRetransmissionTimeout(inFlight: inFlight, now: now)
            self = .newReno(control)
        case .cubic(var control):
            control.onRetransmissionTimeout(inFlight: inFlight, now: now)
            self = .cubic(control)
        }
    }

    mutating func onIdle(now: Instant) {
        switch self {
        case .newReno(var control):
            control.onIdle(now: now)
            self = .newReno(control)
        case .cubic(var control):
            control.onIdle(now: now)
            self = .cubic(control)
        }
    }

    mutating func setMaximumSegmentSize(_ mss: Int) {
        switch self {
        case .newReno(var control):
            control.setMaximumSegmentSize(mss)
            self = .newReno(control)
        case .cubic(var control):
            control.setMaximumSegmentSize(mss)
            self = .cubic(control)
        }
    }
}
