// The per-connection strategy value: each case behaves exactly as the algorithm it holds.

import Testing

@testable import ExOS

@Suite struct CongestionControllerTests {
    let mss = 1448

    @Test func theAlgorithmsAreNamedForConfiguration() {
        #expect(CongestionAlgorithm(rawValue: "newreno") == .newReno)
        #expect(CongestionAlgorithm(rawValue: "cubic") == .cubic)
        #expect(CongestionAlgorithm.allCases.count == 2)
    }

    /// Drives a controller and the bare algorithm through the same events and compares them.
    private func expectSameAsAlgorithm<Control: CongestionControl>(
        _ algorithm: CongestionAlgorithm, _ bare: Control.Type
    ) {
        var controller = CongestionController(algorithm, maximumSegmentSize: 536, now: .zero)
        var control = Control(maximumSegmentSize: 536, now: .zero)
        #expect(controller.algorithm == algorithm)
        func check(_ step: String) {
            #expect(controller.window == control.window, "\(algorithm) after \(step)")
            #expect(controller.slowStartThreshold == control.slowStartThreshold, "\(algorithm) after \(step)")
        }
        controller.setMaximumSegmentSize(mss)
        control.setMaximumSegmentSize(mss)
        check("setMaximumSegmentSize")
        var now = Instant.zero
        for round in 0..<30 {
            now = now + .milliseconds(40)
            controller.onAcknowledged(bytes: mss, inFlight: controller.window, rtt: .milliseconds(40), now: now)
            control.onAcknowledged(bytes: mss, inFlight: control.window, rtt: .milliseconds(40), now: now)
            check("ACK \(round)")
        }
        controller.onEnterRecovery(inFlight: 30 * mss, now: now)
        control.onEnterRecovery(inFlight: 30 * mss, now: now)
        check("onEnterRecovery")
        controller.onExitRecovery(now: now)
        control.onExitRecovery(now: now)
        check("onExitRecovery")
        for round in 0..<300 {
            now = now + .milliseconds(2)
            controller.onAcknowledged(bytes: mss, inFlight: controller.window, rtt: .milliseconds(40), now: now)
            control.onAcknowledged(bytes: mss, inFlight: control.window, rtt: .milliseconds(40), now: now)
            check("avoidance ACK \(round)")
        }
        controller.onRetransmissionTimeout(inFlight: 20 * mss, now: now)
        control.onRetransmissionTimeout(inFlight: 20 * mss, now: now)
        check("onRetransmissionTimeout")
        controller.onIdle(now: now)
        control.onIdle(now: now)
        check("onIdle")
    }

    @Test func eachCaseForwardsToItsAlgorithm() {
        expectSameAsAlgorithm(.newReno, NewReno.self)
        expectSameAsAlgorithm(.cubic, Cubic.self)
    }

    @Test func theAlgorithmsDifferAfterALoss() {
        var reno = CongestionController(.newReno, maximumSegmentSize: mss, now: .zero)
        var cubic = CongestionController(.cubic, maximumSegmentSize: mss, now: .zero)
        reno.onEnterRecovery(inFlight: 100 * mss, now: .zero)
        cubic.onEnterRecovery(inFlight: 100 * mss, now: .zero)
        #expect(reno.window == 50 * mss)
        #expect(cubic.window == 70 * mss)
    }
}
