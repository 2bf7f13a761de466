// Specification of when a runtime whose daemon went away attaches again: back-off from
// 50 ms doubling to 2 s, spread by the jitter, ending at the policy's time limit, and which
// failures end the attempts at once. All on a virtual clock.

@testable import ExOS
import ExoWire
import Testing

struct ReattachScheduleTests {
    static let lost = Instant(nanoseconds: 1_000_000_000)

    /// The waits between attempts when each attempt fails the moment it starts.
    func waits(_ policy: ReattachPolicy, seed: UInt64 = 1, count: Int) -> [UInt64] {
        var schedule = ReattachSchedule(policy: policy, lostAt: Self.lost, seed: seed)
        var now = Self.lost
        var waits: [UInt64] = []
        while waits.count < count, case .attempt(let at) = schedule.next(now: now) {
            waits.append((at - now).nanoseconds / 1_000_000)
            now = at
        }
        return waits
    }

    @Test func withoutJitterTheWaitDoublesFrom50MillisecondsUpTo2Seconds() {
        var policy = ReattachPolicy()
        policy.jitter = 0
        #expect(waits(policy, count: 9) == [50, 100, 200, 400, 800, 1600, 2000, 2000, 2000])
    }

    @Test func theJitterSpreadsEachWaitByAtMostTwentyPercentAndDependsOnTheSeed() {
        let policy = ReattachPolicy()
        let nominal: [UInt64] = [50, 100, 200, 400, 800, 1600, 2000, 2000]
        var distinct = Set<[UInt64]>()
        for seed in UInt64(1)...20 {
            let spread = waits(policy, seed: seed, count: nominal.count)
            for (wait, base) in zip(spread, nominal) {
                #expect(wait * 10 >= base * 8 - 10 && wait * 10 <= base * 12, "seed \(seed): \(spread)")
            }
            distinct.insert(spread)
            #expect(waits(policy, seed: seed, count: nominal.count) == spread, "seed \(seed) replays")
        }
        #expect(distinct.count > 15, "tenants of one daemon spread out")
    }

    @Test func noAttemptStartsLaterThanGiveUpAfterTheLoss() {
        var policy = ReattachPolicy()
        policy.jitter = 0
        policy.giveUpAfter = .seconds(5)
        // 50+100+200+400+800+1600 = 3150 ms; the next would start at 6350 ms, past the limit.
        #expect(waits(policy, count: 100) == [50, 100, 200, 400, 800, 1600])
        policy.giveUpAfter = nil
        #expect(waits(policy, count: 100).count == 100)
    }

    @Test func theFirstAttemptCountsFromTheLossNotFromALateCall() {
        var policy = ReattachPolicy()
        policy.jitter = 0
        var schedule = ReattachSchedule(policy: policy, lostAt: Self.lost, seed: 1)
        #expect(schedule.next(now: Self.lost) == .attempt(at: Self.lost + .milliseconds(50)))
        // An attempt that took 3 s to fail: the next waits its turn from then.
        let failedAt = Self.lost + .seconds(3)
        #expect(schedule.next(now: failedAt) == .attempt(at: failedAt + .milliseconds(100)))
        #expect(schedule.attempts == 2)
    }

    @Test func refusalsOfThisProcessAreFinalAndPassingTroubleIsRetried() {
        let final: [ExOSError] = [
            .refused(.notPermitted, detail: "ended by an operator (exoctl kick, uid 0)"),
            .refused(.unknownTenant, detail: ""), .refused(.unsupportedVersion, detail: ""),
            .protocolViolation("undecodable record"),
        ]
        let passing: [ExOSError] = [
            .disconnected, .unreachable(path: "/run/exokernel/exokerneld.sock", .init(operation: "connect", errno: 111)),
            .refused(.sessionLimit, detail: ""), .refused(.tooManyConnections, detail: ""),
            .refused(.poolExhausted, detail: ""), .refused(.overQuota, detail: ""), .refused(.internalError, detail: ""),
        ]
        for failure in final { #expect(ReattachSchedule.isFinal(failure), "\(failure)") }
        for failure in passing { #expect(!ReattachSchedule.isFinal(failure), "\(failure)") }
    }
}
