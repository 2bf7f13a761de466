// Specification of a tenant's data-path rate limit: a burst of 10 ms at full rate passes,
// then packets pass at the configured packet and byte rates; 0 is no limit; a single packet
// of any size the data path carries can always pass once the bucket is full.
import ExoCore
import Testing

@Suite struct TrafficRateLimitTests {
    static let millisecond: UInt64 = 1_000_000

    @Test func zeroRatesLimitNothing() {
        var limit = TrafficRateLimit(packetsPerSecond: 0, bytesPerSecond: 0, now: 0)
        #expect(limit.isUnlimited)
        let passed = (0..<100_000).filter { _ in limit.admit(bytes: 9000, now: 5) }.count
        #expect(passed == 100_000)
    }

    @Test func aBurstOfTenMillisecondsPassesThenThePacketRate() {
        var limit = TrafficRateLimit(packetsPerSecond: 10_000, bytesPerSecond: 0, now: 0)
        #expect(!limit.isUnlimited)
        // 10 ms at 10,000/s: 100 at once, then no more at the same instant.
        let burst = (0..<1000).filter { _ in limit.admit(bytes: 100, now: 0) }.count
        #expect(burst == 100)
        // One more every 100 µs.
        let passed1 = limit.admit(bytes: 100, now: 99_999)
        #expect(!passed1)
        let passed2 = limit.admit(bytes: 100, now: 100_000)
        #expect(passed2)
        let passed3 = limit.admit(bytes: 100, now: 100_000)
        #expect(!passed3)
    }

    @Test func theByteRateLimitsLargePacketsSooner() {
        var limit = TrafficRateLimit(packetsPerSecond: 1_000_000, bytesPerSecond: 10_000_000, now: 0)
        // 10 ms of 10 MB/s is 100,000 bytes: 66 packets of 1,500.
        let burst = (0..<1000).filter { _ in limit.admit(bytes: 1500, now: 0) }.count
        #expect(burst == 66)
    }

    @Test func oneLargestPacketAlwaysFitsAFullBucket() {
        var limit = TrafficRateLimit(packetsPerSecond: 1, bytesPerSecond: 1000, now: 0)
        let passed4 = limit.admit(bytes: 65_536, now: 0)
        #expect(passed4)
        let passed5 = limit.admit(bytes: 1, now: 0)
        #expect(!passed5)
    }

    @Test func aClockGoingBackwardsEarnsNothing() {
        var limit = TrafficRateLimit(packetsPerSecond: 100, bytesPerSecond: 0, now: 50 * Self.millisecond)
        let passed6 = limit.admit(bytes: 1, now: 50 * Self.millisecond)
        #expect(passed6)
        let passed7 = limit.admit(bytes: 1, now: 0)
        #expect(!passed7)
    }

    /// Over a long run at many times the rate, what passes is the rate times the time plus one
    /// burst, whatever the arrival pattern; the largest rates do not overflow.
    @Test(arguments: [(UInt64(1_000), UInt64(0)), (0, 1_000_000), (50_000, 20_000_000), (TrafficRateLimit.maximumRate, TrafficRateLimit.maximumRate)])
    func overTimeTheRateHolds(packets: UInt64, bytes: UInt64) {
        var limit = TrafficRateLimit(packetsPerSecond: packets, bytesPerSecond: bytes, now: 0)
        var random = SplitMix64(state: packets ^ bytes)
        var now: UInt64 = 0
        var passedPackets: UInt64 = 0
        var passedBytes: UInt64 = 0
        let end: UInt64 = 2_000 * Self.millisecond
        while now < end {
            now += random.next() % 20_000
            let size = Int(64 + random.next() % 1437)
            if limit.admit(bytes: size, now: now) {
                passedPackets += 1
                passedBytes += UInt64(size)
            }
        }
        let seconds = Double(now) / 1e9
        if packets > 0, packets < 1_000_000 {
            let allowed = Double(packets) * seconds + Double(max(packets / 100, 1))
            #expect(Double(passedPackets) <= allowed + 1, "\(passedPackets) of \(allowed)")
            // Arrivals (about 100,000 a second) exceed the rate: it is reached, unless the byte
            // rate binds first.
            if bytes == 0 { #expect(Double(passedPackets) >= allowed * 0.9 - 2, "\(passedPackets) of \(allowed)") }
        }
        if bytes > 0, bytes < 1_000_000_000 {
            let allowed = Double(bytes) * seconds + Double(max(bytes / 100, 65_536))
            #expect(Double(passedBytes) <= allowed, "\(passedBytes) of \(allowed)")
            if packets == 0 || packets >= 100_000 {
                #expect(Double(passedBytes) >= allowed * 0.85, "\(passedBytes) of \(allowed)")
            }
        }
        if packets == TrafficRateLimit.maximumRate {
            // Far above what arrives: everything passes.
            #expect(passedPackets > 0)
        }
    }
}
