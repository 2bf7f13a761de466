// A large pool driven hard through allocate/unref: checks only correctness (the one free
// frame is found, counts stay right) at a volume where an O(pool) path would crawl.
import ExoCore
import ExoWire
import Testing

@Suite struct ThroughputSanityTests {
    @Test func manyAllocateUnrefCyclesOnAFullPoolFindTheOneFreeFrame() throws {
        let frames: UInt32 = 65_536
        let arbiter = Arbiter(
            frameCount: frames, tenants: [TenantSpec(id: 0, name: "big", frameQuota: frames)],
            tokenKey: Fixture.key, runID: 1)
        let session = arbiter.openSession(tenant: 0)
        _ = try arbiter.allocateAny(session: session, count: frames - 1)
        var expectedFree = frames - 1
        var mismatches = 0
        for round in 0..<100_000 {
            let taken = try arbiter.allocateAny(session: session, count: 1)[0].frame
            let victim = FrameNumber((round &* 7919) % Int(frames))
            let freed = try arbiter.unref(session: session, frames: [victim]).freedFrames
            if taken != expectedFree || freed != [victim] { mismatches += 1 }
            expectedFree = victim
        }
        #expect(mismatches == 0)
        #expect(arbiter.freeFrameCount == 1)
        #expect(arbiter.holdingCount == Int(frames - 1))
        #expect(arbiter.closeSession(session).freedFrames.count == Int(frames - 1))
        #expect(arbiter.freeFrameCount == frames)
    }
}
