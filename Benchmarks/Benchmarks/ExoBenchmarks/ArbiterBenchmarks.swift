// ExoCore: the arbiter's allocate+unref (one frame, and a batch of 64) and a capability
// token's grant+redeem (HMAC-SHA256 seal and constant-time verify), without any I/O.

import Benchmark
import Crypto
import ExoCore
import ExoWire

/// A 65,536-frame pool whose lower half is held by another tenant, so the benchmarks run
/// against tables of realistic size; alice and bob have room for every batch measured.
enum ArbiterFixture {
    static let poolFrames: UInt32 = 65_536
    static let alice: TenantID = 0
    static let bob: TenantID = 1
    static let background: TenantID = 2

    /// A new arbiter, and a session of each of alice, bob and the background tenant; the
    /// background session holds frames 0..<32768. Traps if the arbiter refuses the set-up.
    static func make() -> (arbiter: Arbiter, alice: SessionID, bob: SessionID) {
        let tenants = [
            TenantSpec(id: alice, name: "alice", frameQuota: 1_024),
            TenantSpec(id: bob, name: "bob", frameQuota: 1_024),
            TenantSpec(id: background, name: "background", frameQuota: poolFrames / 2),
        ]
        let arbiter = Arbiter(frameCount: poolFrames, tenants: tenants, tokenKey: SymmetricKey(size: .bits256), runID: 1)
        let held = arbiter.openSession(tenant: background)
        do throws(ExoError) {
            for _ in 0..<(Int(poolFrames) / 2 / WireLimits.maxBatch) {
                _ = try arbiter.allocateAny(session: held, count: UInt32(WireLimits.maxBatch))
            }
            let rest = Int(poolFrames) / 2 % WireLimits.maxBatch
            if rest > 0 { _ = try arbiter.allocateAny(session: held, count: UInt32(rest)) }
        } catch {
            fatalError("fixture: \(error)")
        }
        precondition(arbiter.freeFrameCount == poolFrames / 2, "fixture: half the pool is held")
        return (arbiter, arbiter.openSession(tenant: alice), arbiter.openSession(tenant: bob))
    }
}

func registerArbiterBenchmarks() {
    for count in [1, 64] {
        let fixture = ArbiterFixture.make()
        Benchmark("ExoCore Arbiter allocateAny+unref: \(count) frame\(count == 1 ? "" : "s")") { benchmark in
            for _ in benchmark.scaledIterations {
                do throws(ExoError) {
                    let holdings = try fixture.arbiter.allocateAny(session: fixture.alice, count: UInt32(count))
                    let released = try fixture.arbiter.unref(session: fixture.alice, frames: holdings.map(\.frame))
                    precondition(released.freedFrames.count == count, "every frame is freed again")
                    blackHole(released)
                } catch {
                    fatalError("allocate+unref refused: \(error)")
                }
            }
        }
    }
}

func registerTokenBenchmarks() {
    let fixture = ArbiterFixture.make()
    let frame: FrameNumber
    do throws(ExoError) {
        frame = try fixture.arbiter.allocateAny(session: fixture.alice, count: 1)[0].frame
    } catch {
        fatalError("fixture: \(error)")
    }
    // The redeemed holding is unref'd inside the loop (bob cannot redeem a frame he holds);
    // that unref is the cheap part next to the seal and verify.
    Benchmark("ExoCore token grant+redeem (+unref of the redeemed holding)") { benchmark in
        for _ in benchmark.scaledIterations {
            do throws(ExoError) {
                let issued = try fixture.arbiter.grant(
                    session: fixture.alice, frame: frame, rights: [.read], audience: ArbiterFixture.bob)
                let holding = try fixture.arbiter.redeem(session: fixture.bob, token: issued.bytes)
                blackHole(try fixture.arbiter.unref(session: fixture.bob, frames: [holding.frame]))
            } catch {
                fatalError("grant+redeem refused: \(error)")
            }
        }
    }
}
