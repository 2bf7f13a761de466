// CUBIC's window (RFC 9438) against the RFC's own equations computed here: the reduction by
// β, fast convergence, the cubic curve (concave below W_max, convex above), the Reno-friendly
// region, the timeout and the application-limited rule.

import Foundation
import Testing

@testable import ExOS

@Suite struct CubicTests {
    let mss = 1460

    /// A CUBIC sender that grew to `maximum` segments in slow start and then lost a segment
    /// with the whole window in flight, and has left recovery.
    private func afterLoss(atSegments maximum: Int) -> Cubic {
        var control = Cubic(maximumSegmentSize: mss, now: .zero)
        control.growInSlowStart(to: maximum * mss, mss: mss, now: .zero)
        control.onEnterRecovery(inFlight: control.window, now: .zero)
        control.onExitRecovery(now: .zero)
        return control
    }

    /// RFC 9438 equations 1 and 2, in segments: W_cubic(t) = C·(t − K)³ + W_max with
    /// K = ∛((W_max − cwnd_epoch)/C).
    private func cubic(_ t: Double, maximum: Double, epochWindow: Double) -> Double {
        let k = cbrt((maximum - epochWindow) / 0.4)
        return 0.4 * pow(t - k, 3) + maximum
    }

    @Test func aLossSetsThresholdAndWindowToSevenTenthsOfTheFlight() {
        var control = Cubic(maximumSegmentSize: mss, now: .zero)
        control.growInSlowStart(to: 100 * mss, mss: mss, now: .zero)
        control.onEnterRecovery(inFlight: 100 * mss, now: .zero)
        #expect(control.slowStartThreshold == 70 * mss)
        #expect(control.window == 70 * mss)
        #expect(control.lastMaximumWindow == Double(100 * mss))
        control.onExitRecovery(now: .zero)
        #expect(control.window == 70 * mss)
    }

    @Test func fastConvergenceLowersTheRememberedMaximum() {
        var control = afterLoss(atSegments: 100)  // W_max = 100 segments, cwnd 70
        control.onEnterRecovery(inFlight: control.window, now: .zero)
        // 70 < 100: W_max = 70·(1 + β)/2 = 59.5 segments, below the window it lost at.
        #expect(abs(control.lastMaximumWindow - 59.5 * Double(mss)) < 1e-6)
        #expect(control.window == 49 * mss)
    }

    @Test func theWindowFollowsTheCubicCurveConcaveThenConvex() {
        let maximum = 1000.0
        var control = afterLoss(atSegments: Int(maximum))
        let epochWindow = Double(control.window) / Double(mss)
        #expect(epochWindow == 700)
        let rtt = Interval.milliseconds(100)
        let k = cbrt((maximum - epochWindow) / 0.4)
        var now = Instant.zero + .seconds(1)
        // The epoch starts at the first ACK of the first round.
        let segments = control.window / mss
        let epochStart = now + Interval(nanoseconds: rtt.nanoseconds / UInt64(segments))
        var samples: [(t: Double, window: Double)] = []
        while now - epochStart < .seconds(UInt64(2 * k) + 1) {
            now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt)
            let t = Double((now - epochStart).nanoseconds) / 1e9
            let window = Double(control.window) / Double(mss)
            // The window aims one RTT ahead of the curve and approaches it during the round:
            // it stays between the curve now and the curve an RTT later, within a segment.
            let low = cubic(t, maximum: maximum, epochWindow: epochWindow)
            let high = cubic(t + 0.1, maximum: maximum, epochWindow: epochWindow)
            #expect(window >= low - 1 && window <= high + 1, "t \(t): \(window) not in [\(low), \(high)]")
            samples.append((t, window))
        }
        func window(at t: Double) -> Double { samples.min { abs($0.t - t) < abs($1.t - t) }!.window }
        // Plateau at W_max around K; above the chord before it (concave), below after (convex).
        #expect(abs(window(at: k) - maximum) < 3)
        #expect(window(at: k / 2) > (epochWindow + maximum) / 2 + 10)
        let end = cubic(2 * k, maximum: maximum, epochWindow: epochWindow)
        #expect(window(at: 1.5 * k) < (maximum + end) / 2 - 10)
    }

    @Test func onAShortRoundTripTheRenoFriendlyRegionDominates() {
        var control = afterLoss(atSegments: 100)  // cwnd 70, cwnd_prior 100
        let rtt = Interval.milliseconds(1)
        var now = Instant.zero + .seconds(1)
        for _ in 0..<40 { now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt) }
        let early = Double(control.window) / Double(mss)
        // W_est grows α_cubic = 3·0.3/1.7 ≈ 0.53 segments a round; W_cubic barely moves (K ≈ 4.2 s).
        let alpha = 3 * (1 - 0.7) / (1 + 0.7)
        #expect(abs(early - (70 + 40 * alpha)) < 1)
        #expect(early > cubic(0.041, maximum: 100, epochWindow: 70) + 15)
        // Once W_est passes cwnd_prior, it grows as Reno: one segment a round.
        for _ in 0..<40 { now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt) }
        let passed = Double(control.window) / Double(mss)
        #expect(passed > 100)
        for _ in 0..<20 { now = control.acknowledgeRound(mss: mss, start: now, rtt: rtt) }
        let late = Double(control.window) / Double(mss)
        #expect(abs((late - passed) / 20 - 1) < 0.1)
    }

    @Test func aTimeoutCollapsesToOneSegmentAndRestartsTheCurveAtItsNewStart() {
        var control = afterLoss(atSegments: 100)
        control.onRetransmissionTimeout(inFlight: 60 * mss, now: .zero)
        #expect(control.window == mss)
        #expect(control.slowStartThreshold == 42 * mss)  // β·60
        let now = Instant.zero + .seconds(1)
        control.growInSlowStart(to: control.slowStartThreshold, mss: mss, now: now)
        #expect(control.window == 42 * mss)
        // The first ACK in avoidance starts an epoch with K = 0 and W_max = cwnd (§4.8).
        control.onAcknowledged(bytes: mss, inFlight: control.window, rtt: .milliseconds(100), now: now)
        #expect(control.timeToOrigin == 0)
        #expect(control.originWindow == Double(42 * mss))
        #expect(control.window > 42 * mss)  // and grows (here by W_est: the curve is flat at t = 0)
    }

    @Test func anApplicationLimitedSenderNeitherGrowsNorAgesTheCurve() {
        let rtt = Interval.milliseconds(100)
        var steady = afterLoss(atSegments: 200)
        var paused = steady
        var now = Instant.zero + .seconds(1)
        now = steady.acknowledgeRound(mss: mss, start: now, rtt: rtt)
        _ = paused.acknowledgeRound(mss: mss, start: .zero + .seconds(1), rtt: rtt)
        let before = paused.window
        // Five seconds with the window half used: no growth, and t does not advance.
        var pausedNow = now
        for _ in 0..<50 {
            pausedNow = pausedNow + rtt
            paused.onAcknowledged(bytes: mss, inFlight: paused.window / 2, rtt: rtt, now: pausedNow)
        }
        #expect(paused.window == before)
        for _ in 0..<10 {
            now = steady.acknowledgeRound(mss: mss, start: now, rtt: rtt)
            pausedNow = paused.acknowledgeRound(mss: mss, start: pausedNow, rtt: rtt)
        }
        #expect(paused.window == steady.window)
    }

    @Test func slowStartIsRenos() {
        var control = Cubic(maximumSegmentSize: mss, now: .zero)
        var now = Instant.zero
        for _ in 0..<4 {
            let before = control.window
            now = control.acknowledgeRound(mss: mss, start: now, rtt: .milliseconds(20))
            #expect(control.window == 2 * before)
        }
        control.onIdle(now: now + .seconds(10))
        #expect(control.window == 10 * mss)
    }
}
