// RFC 6298's retransmission timeout: the first sample, the smoothing gains, the bounds and
// the back-off, and a random walk against the RFC's formulas computed in floating point.

import ExoImpairment
import Testing

@testable import ExOS

@Suite struct RTTEstimatorTests {
    private func ms(_ value: UInt64) -> Interval { .milliseconds(value) }

    @Test func beforeAnySampleTheTimeoutIsTheInitialOne() {
        let estimator = RTTEstimator()
        #expect(estimator.timeout == .seconds(1))
        #expect(estimator.smoothedRTT == nil && estimator.minimumRTT == nil)
        #expect(estimator.variance == .zero && estimator.backOffCount == 0)
    }

    @Test func theFirstSampleSetsSRTTAndHalfOfItAsVariance() {
        var estimator = RTTEstimator()
        estimator.addSample(ms(100))
        #expect(estimator.smoothedRTT == ms(100))
        #expect(estimator.variance == ms(50))
        #expect(estimator.timeout == ms(300))  // 100 + 4·50
    }

    @Test func laterSamplesUseAnEighthAndAQuarter() {
        var estimator = RTTEstimator()
        estimator.addSample(ms(100))
        estimator.addSample(ms(200))
        // RTTVAR = ¾·50 + ¼·|100 − 200| = 62.5; SRTT = ⅞·100 + ⅛·200 = 112.5.
        #expect(estimator.variance == .microseconds(62_500))
        #expect(estimator.smoothedRTT == .microseconds(112_500))
        #expect(estimator.timeout == .microseconds(362_500))
    }

    @Test func aSteadyPathLeavesTheGranularityAboveSRTTAndTheMinimumBelow() {
        var fast = RTTEstimator()
        for _ in 0..<200 { fast.addSample(ms(1)) }
        #expect(fast.timeout == ms(200))  // 1 ms + G, raised to the 200 ms minimum
        var slow = RTTEstimator(minimumTimeout: ms(10))
        for _ in 0..<200 { slow.addSample(ms(50)) }
        #expect(slow.variance < .microseconds(1))
        #expect(slow.timeout == ms(51))  // SRTT + max(G, 4·RTTVAR) = 50 + 1
    }

    @Test func theTimeoutNeverExceedsTheMaximum() {
        var estimator = RTTEstimator()
        estimator.addSample(.seconds(30))
        #expect(estimator.timeout == .seconds(60))  // 30 + 4·15 = 90, clamped
        estimator.backOff()
        #expect(estimator.timeout == .seconds(60))
    }

    @Test func backOffDoublesUntilTheMaximumAndASampleEndsIt() {
        var estimator = RTTEstimator()
        estimator.addSample(ms(100))
        var expected = ms(300)
        for count in 1...12 {
            estimator.backOff()
            expected = min(expected.doubled(1), .seconds(60))
            #expect(estimator.timeout == expected)
            #expect(estimator.backOffCount == count)
        }
        #expect(estimator.timeout == .seconds(60))
        estimator.addSample(ms(100))
        #expect(estimator.backOffCount == 0)
        #expect(estimator.timeout < ms(300))
    }

    @Test func theInitialTimeoutBacksOffToo() {
        var estimator = RTTEstimator()
        estimator.backOff()
        estimator.backOff()
        #expect(estimator.timeout == .seconds(4))
    }

    @Test func theMinimumRTTIsTheSmallestSample() {
        var estimator = RTTEstimator()
        for sample: UInt64 in [40, 30, 90, 35, 31] { estimator.addSample(ms(sample)) }
        #expect(estimator.minimumRTT == ms(30))
    }

    @Test func randomSamplesFollowRFC6298sFormulas() {
        let seed: UInt64 = 6298
        var random = SeededRandom(seed: seed)
        var estimator = RTTEstimator()
        var srtt = 0.0
        var rttvar = 0.0
        for step in 0..<2000 {
            let sample = Double(1 + random.below(400_000)) * 1000  // 1 µs … 400 ms, in ns
            estimator.addSample(Interval(nanoseconds: UInt64(sample)))
            if step == 0 {
                srtt = sample
                rttvar = sample / 2
            } else {
                rttvar = 0.75 * rttvar + 0.25 * abs(srtt - sample)
                srtt = 0.875 * srtt + 0.125 * sample
            }
            let rto = min(max(srtt + max(1e6, 4 * rttvar), 200e6), 60e9)
            // Integer division loses under a nanosecond per step; the filters forget it.
            #expect(abs(Double(estimator.smoothedRTT!.nanoseconds) - srtt) < 16, "seed \(seed) step \(step)")
            #expect(abs(Double(estimator.variance.nanoseconds) - rttvar) < 16, "seed \(seed) step \(step)")
            #expect(abs(Double(estimator.timeout.nanoseconds) - rto) < 64, "seed \(seed) step \(step)")
        }
    }
}
