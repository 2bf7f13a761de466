// NewReno's window (RFC 5681 with RFC 3465 byte counting, RFC 6582's recovery hooks): the
// initial window, slow start, congestion avoidance, the reductions, idle restart and the
// rule that an application-limited sender earns no growth.

import Testing

@testable import ExOS

@Suite struct NewRenoTests {
    let mss = 1460
    let rtt = Interval.milliseconds(50)

    @Test(arguments: [(536, 5360), (1460, 14_600), (1448, 14_480), (4000, 14_600), (9000, 18_000)])
    func theInitialWindowFollowsRFC6928(mss: Int, window: Int) {
        let control = NewReno(maximumSegmentSize: mss, now: .zero)
        #expect(control.window == window)
        #expect(control.slowStartThreshold == .max)
    }

    @Test func slowStartDoublesTheWindowEachRoundTrip() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        var now = Instant.zero
        for _ in 0..<5 {
            let before = control.window
            now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt)
            #expect(control.window == 2 * before)
        }
    }

    @Test func aStretchACKGrowsSlowStartByAtMostTwoSegments() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        control.onAcknowledged(bytes: 6 * mss, inFlight: control.window, rtt: rtt, now: .zero + rtt)
        #expect(control.window == 12 * mss)  // RFC 3465 with L = 2
        control.onAcknowledged(bytes: 100, inFlight: control.window, rtt: rtt, now: .zero + rtt)
        #expect(control.window == 12 * mss + 100)  // a partial segment counts its bytes
    }

    @Test func congestionAvoidanceAddsOneSegmentEachRoundTrip() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        control.onEnterRecovery(inFlight: 40 * mss, now: .zero)
        control.onExitRecovery(now: .zero)
        #expect(control.window == 20 * mss && control.slowStartThreshold == 20 * mss)
        var now = Instant.zero
        for round in 1...10 {
            now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt)
            #expect(control.window == (20 + round) * mss)
        }
    }

    @Test func slowStartStopsAtTheThresholdAndTheRestGoesToAvoidance() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        control.onRetransmissionTimeout(inFlight: 9 * mss, now: .zero)  // ssthresh 4.5 segments
        #expect(control.slowStartThreshold == 9 * mss / 2)
        var now = Instant.zero
        now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt)  // 1 → 2
        now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt)  // 2 → 4
        #expect(control.window == 4 * mss)
        control.onAcknowledged(bytes: mss, inFlight: control.window, rtt: rtt, now: now)
        #expect(control.window == 9 * mss / 2)  // capped at ssthresh, not 5 segments
        now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt)
        #expect(control.window == 9 * mss / 2 + mss)  // then one segment per round
    }

    @Test func fastRetransmitHalvesTheFlightWithATwoSegmentFloor() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        control.onEnterRecovery(inFlight: 30 * mss, now: .zero)
        #expect(control.slowStartThreshold == 15 * mss && control.window == 15 * mss)
        control.onExitRecovery(now: .zero)
        #expect(control.window == 15 * mss)
        control.onEnterRecovery(inFlight: 3 * mss, now: .zero)
        #expect(control.slowStartThreshold == 2 * mss && control.window == 2 * mss)
    }

    @Test func aRetransmissionTimeoutCollapsesTheWindowToOneSegment() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        control.acknowledgeRound(mss: mss, start: .zero, rtt: rtt)
        control.onRetransmissionTimeout(inFlight: 20 * mss, now: .zero + rtt)
        #expect(control.window == mss)
        #expect(control.slowStartThreshold == 10 * mss)
    }

    @Test func anApplicationLimitedSenderEarnsNoGrowth() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        let window = control.window
        for _ in 0..<20 {
            control.onAcknowledged(bytes: mss, inFlight: window - 2 * mss, rtt: rtt, now: .zero + rtt)
        }
        #expect(control.window == window)
        control.onEnterRecovery(inFlight: window, now: .zero)
        control.onExitRecovery(now: .zero)
        let avoiding = control.window
        for _ in 0..<100 {
            control.onAcknowledged(bytes: mss, inFlight: avoiding / 2, rtt: rtt, now: .zero + rtt)
        }
        #expect(control.window == avoiding)
        // Less than a segment of unused window still counts as limited by cwnd.
        control.onAcknowledged(bytes: avoiding, inFlight: avoiding - mss + 1, rtt: rtt, now: .zero + rtt)
        #expect(control.window == avoiding + mss)
    }

    @Test func anIdleRestartLowersTheWindowToTheInitialOne() {
        var control = NewReno(maximumSegmentSize: mss, now: .zero)
        control.acknowledgeRound(mss: mss, start: .zero, rtt: rtt)
        #expect(control.window == 20 * mss)
        control.onIdle(now: .zero + .seconds(5))
        #expect(control.window == 10 * mss)
        control.onRetransmissionTimeout(inFlight: 4 * mss, now: .zero + .seconds(6))
        control.onIdle(now: .zero + .seconds(10))
        #expect(control.window == mss)  // never raised by a restart
    }

    @Test func aNewSegmentSizeBeforeTrafficRecomputesTheInitialWindow() {
        var control = NewReno(maximumSegmentSize: 536, now: .zero)
        control.setMaximumSegmentSize(1460)
        #expect(control.window == 14_600)
        control.acknowledgeRound(mss: 1460, start: .zero, rtt: rtt)
        control.setMaximumSegmentSize(1200)
        #expect(control.window == 29_200)  // once running, cwnd stays in bytes
        control.onRetransmissionTimeout(inFlight: 0, now: .zero + rtt)
        #expect(control.window == 1200 && control.slowStartThreshold == 2400)
    }
}
