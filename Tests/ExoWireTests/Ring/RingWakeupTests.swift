// Need-wakeup: the consumer announces it may sleep and re-checks; the producer, after
// publishing, reports whether that announcement obliges it to kick. No wake-up is lost.

#if canImport(Glibc)
import Glibc
#endif
import ExoWire
import Synchronization
import Testing

@Suite("Ring need-wakeup")
struct RingWakeupTests {
    @Test("a consumer that finds the ring empty may sleep, and the next publish asks for a kick")
    func sleepThenKick() throws {
        let (region, memory) = try makeRing(capacity: 8)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        #expect(try consumer.prepareToSleep() == true)
        #expect(region.peek(at: RingField.flags.lowerBound) == RingFlags.needWakeup)
        #expect(try producer.produce(numbered(0, count: 2)) == RingPublish(count: 2, wakeupNeeded: true))
        #expect(try consumer.take(8).count == 2)
        #expect(region.peek(at: RingField.flags.lowerBound) == 0)
        #expect(try producer.produce(numbered(2, count: 2)) == RingPublish(count: 2, wakeupNeeded: false))
    }

    @Test("a consumer whose re-check finds entries must not sleep")
    func recheckFindsEntries() throws {
        let (_, memory) = try makeRing(capacity: 8)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        #expect(try consumer.take(8).isEmpty)  // saw an empty ring ...
        _ = try producer.produce(numbered(0, count: 1))  // ... the producer publishes meanwhile
        #expect(try consumer.prepareToSleep() == false)
        #expect(try consumer.take(8) == numbered(0, count: 1))
    }

    @Test("a producer never asks for a kick while the consumer is awake")
    func noKickWhileAwake() throws {
        let (_, memory) = try makeRing(capacity: 4)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        for i in UInt32(0)..<20 {
            #expect(try producer.produce(numbered(i, count: 1)).wakeupNeeded == false)
            #expect(try consumer.take(4).count == 1)
        }
    }

    @Test("a publish into a full ring publishes nothing and asks for no kick")
    func fullRingNoKick() throws {
        let (region, memory) = try makeRing(capacity: 2)
        var producer = RingProducer(memory: memory)
        _ = try producer.produce(numbered(0, count: 2))
        region.poke(RingFlags.needWakeup, at: RingField.flags.lowerBound)
        #expect(try producer.produce(numbered(2, count: 1)) == RingPublish(count: 0, wakeupNeeded: false))
    }

    @Test("clearWakeupRequest withdraws the request; unknown flag bits do not ask for a kick")
    func clearAndUnknownBits() throws {
        let (region, memory) = try makeRing(capacity: 4)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        #expect(try consumer.prepareToSleep())
        consumer.clearWakeupRequest()
        #expect(try producer.produce(numbered(0, count: 1)).wakeupNeeded == false)
        region.poke(~RingFlags.needWakeup, at: RingField.flags.lowerBound)
        #expect(try producer.produce(numbered(1, count: 1)).wakeupNeeded == false)
    }

    @Test("across two threads a consumer that sleeps whenever the ring is empty is never left asleep")
    func noLostWakeups() throws {
        let (_, memory) = try makeRing(capacity: 16)
        let kick = try KickPipe()
        let total: UInt32 = 100_000
        let tally = Tally()
        let consumerThread = TestThread {
            var consumer = RingConsumer(memory: memory)
            var expected: UInt32 = 0
            while expected < total {
                let batch = (try? consumer.take(16)) ?? []
                for descriptor in batch {
                    if descriptor.frame != expected { tally.misordered.add(1, ordering: .relaxed) }
                    expected = descriptor.frame &+ 1
                }
                if !batch.isEmpty { continue }
                guard (try? consumer.prepareToSleep()) == true else { continue }
                tally.sleeps.add(1, ordering: .relaxed)
                // A lost wake-up leaves this wait to time out with entries waiting in the ring.
                if !kick.wait(milliseconds: 5_000) { tally.lost.add(1, ordering: .relaxed); break }
            }
            tally.received.store(Int(expected), ordering: .relaxed)
        }
        var producer = RingProducer(memory: memory)
        var random = SeededGenerator(seed: 0x3A4E)
        var next: UInt32 = 0
        while next < total && tally.lost.load(ordering: .relaxed) == 0 {
            let count = min(Int.random(in: 1...4, using: &random), Int(total - next))
            let publish = try producer.produce(numbered(next, count: count))
            next += UInt32(publish.count)
            if publish.wakeupNeeded { kick.signal() }
            if publish.count == 0 || next % 64 == 0 { sched_yield() }  // let the consumer sleep often
        }
        consumerThread.join()
        #expect(tally.lost.load(ordering: .relaxed) == 0)
        #expect(tally.received.load(ordering: .relaxed) == Int(total))
        #expect(tally.misordered.load(ordering: .relaxed) == 0)
        #expect(tally.sleeps.load(ordering: .relaxed) > 10)
    }
}
