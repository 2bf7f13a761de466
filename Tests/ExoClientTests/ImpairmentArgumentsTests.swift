// Specification of how `exoctl impair` reads its numbers: percentages to parts per million,
// durations with units to nanoseconds, rates with k/M/G, burst loss as two or four percents.

import ExoClient
import ExoWire
import Testing

@Suite struct ImpairmentArgumentsTests {
    @Test func percentagesBecomePartsPerMillion() {
        #expect(ImpairmentArguments.ppm("10") == 100_000)
        #expect(ImpairmentArguments.ppm("10%") == 100_000)
        #expect(ImpairmentArguments.ppm("0.5%") == 5_000)
        #expect(ImpairmentArguments.ppm("100") == 1_000_000)
        #expect(ImpairmentArguments.ppm("100.1") == nil)
        #expect(ImpairmentArguments.ppm("-1") == nil)
        #expect(ImpairmentArguments.ppm("ten") == nil)
    }

    @Test func durationsTakeUnitsAndDefaultToMilliseconds() {
        #expect(ImpairmentArguments.nanoseconds("20") == 20_000_000)
        #expect(ImpairmentArguments.nanoseconds("20ms") == 20_000_000)
        #expect(ImpairmentArguments.nanoseconds("500us") == 500_000)
        #expect(ImpairmentArguments.nanoseconds("1s") == 1_000_000_000)
        #expect(ImpairmentArguments.nanoseconds("250ns") == 250)
        #expect(ImpairmentArguments.nanoseconds("1.5ms") == 1_500_000)
        #expect(ImpairmentArguments.nanoseconds("-1ms") == nil)
        #expect(ImpairmentArguments.nanoseconds("soon") == nil)
    }

    @Test func ratesTakeDecimalPrefixes() {
        #expect(ImpairmentArguments.bitsPerSecond("1000") == 1_000)
        #expect(ImpairmentArguments.bitsPerSecond("100k") == 100_000)
        #expect(ImpairmentArguments.bitsPerSecond("10M") == 10_000_000)
        #expect(ImpairmentArguments.bitsPerSecond("1G") == 1_000_000_000)
        #expect(ImpairmentArguments.bitsPerSecond("fast") == nil)
    }

    @Test func burstLossIsTwoOrFourPercentages() {
        var profile = WireImpairmentProfile()
        #expect(ImpairmentArguments.burst("1,30", into: &profile))
        #expect(profile.burstEnterPPM == 10_000 && profile.burstLeavePPM == 300_000)
        #expect(profile.burstLossGoodPPM == 0 && profile.burstLossBadPPM == 1_000_000)
        #expect(ImpairmentArguments.burst("1,30,0.1,50", into: &profile))
        #expect(profile.burstLossGoodPPM == 1_000 && profile.burstLossBadPPM == 500_000)
        #expect(!ImpairmentArguments.burst("1", into: &profile))
        #expect(!ImpairmentArguments.burst("1,2,3", into: &profile))
        #expect(!ImpairmentArguments.burst("1,x", into: &profile))
    }
}
