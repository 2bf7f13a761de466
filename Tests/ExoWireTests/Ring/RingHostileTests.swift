// A hostile peer writes whatever it likes into shared memory: impossible indices are
// reported and change nothing, garbage descriptors come out as checkable copies, and
// concurrent scribbling never makes a ring end touch memory outside its ring.

import ExoWire
import Synchronization
import Testing

@Suite("Ring hostile peer")
struct RingHostileTests {
    static let producerWord = RingField.producerIndex.lowerBound
    static let consumerWord = RingField.consumerIndex.lowerBound

    @Test("a producer index more than a ring ahead, or behind the consumer, is a violation",
          arguments: [UInt32(9), 10, 1000, 0x8000_0000, UInt32.max])
    func producerFarAhead(observed: UInt32) throws {
        let (region, memory) = try makeRing(capacity: 8)
        var consumer = RingConsumer(memory: memory)
        region.poke(observed, at: Self.producerWord)
        #expect(throws: RingViolation.producerIndex(observed: observed, consumer: 0, lastSeen: 0)) {
            try consumer.take(8)
        }
        #expect(consumer.cachedAvailable == 0)
        #expect(region.peek(at: Self.consumerWord) == 0)
        region.poke(8, at: Self.producerWord)  // the peer comes to its senses: a full ring
        #expect(try consumer.take(8).count == 8)
    }

    @Test("a producer index that moves back over published entries is a violation")
    func producerBackwards() throws {
        let (region, memory) = try makeRing(capacity: 8)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        _ = try producer.produce(numbered(0, count: 6))
        #expect(try consumer.take(2).count == 2)  // sees 6, takes 2
        region.poke(4, at: Self.producerWord)
        // 4 cached entries remain usable; asking for more makes the consumer look, and object.
        #expect(throws: RingViolation.producerIndex(observed: 4, consumer: 2, lastSeen: 6)) { try consumer.take(5) }
        #expect(try consumer.take(4) == numbered(2, count: 4))
    }

    @Test("a consumer index past the producer, or moving backwards, is a violation",
          arguments: [UInt32(5), 6, 100, 0x8000_0000, UInt32.max, 1])
    func consumerOutOfWindow(observed: UInt32) throws {
        let (region, memory) = try makeRing(capacity: 4)
        var producer = RingProducer(memory: memory)
        var consumer = RingConsumer(memory: memory)
        _ = try producer.produce(numbered(0, count: 4))
        _ = try consumer.take(2)  // consumer index 2
        #expect(try producer.refreshFreeSlots() == 2)  // lastSeen 2, produced 4
        region.poke(observed, at: Self.consumerWord)
        #expect(throws: RingViolation.consumerIndex(observed: observed, producer: 4, lastSeen: 2)) {
            try producer.produce(numbered(4, count: 3))
        }
        #expect(region.peek(at: Self.producerWord) == 4)
        #expect(producer.cachedFreeSlots == 2)
    }

    @Test("every producer index near the window is accepted exactly when a real producer could have written it")
    func producerWindowProperty() throws {
        var random = SeededGenerator(seed: 0x2196_0001)
        for _ in 0..<200 {
            let capacity = UInt32(1) << UInt32.random(in: 0...4, using: &random)
            let start = [0, UInt32.max - 20, UInt32.random(in: 0...UInt32.max, using: &random)].randomElement(using: &random)!
            let (region, memory) = try makeRing(capacity: capacity, startIndex: start)
            let consumed = start &+ UInt32.random(in: 0...40, using: &random)
            let lastSeen = consumed &+ UInt32.random(in: 0...capacity, using: &random)
            for delta in -40...40 {
                let observed = lastSeen &+ UInt32(bitPattern: Int32(delta))
                region.poke(lastSeen, at: Self.producerWord)
                var consumer = RingConsumer(memory: memory, startIndex: consumed)
                #expect(try consumer.refreshAvailable() == Int(lastSeen &- consumed))
                region.poke(observed, at: Self.producerWord)
                let believable = observed &- consumed <= capacity && observed &- consumed >= lastSeen &- consumed
                #expect(((try? consumer.refreshAvailable()) != nil) == believable)
                #expect(consumer.cachedAvailable == Int((believable ? observed : lastSeen) &- consumed))
            }
        }
    }

    @Test("every consumer index near the window is accepted exactly when a real consumer could have written it")
    func consumerWindowProperty() throws {
        var random = SeededGenerator(seed: 0x2196_0002)
        for _ in 0..<200 {
            let capacity = UInt32(1) << UInt32.random(in: 0...4, using: &random)
            let start = [0, UInt32.max - 20, UInt32.random(in: 0...UInt32.max, using: &random)].randomElement(using: &random)!
            let (region, memory) = try makeRing(capacity: capacity, startIndex: start)
            var producer = RingProducer(memory: memory, startIndex: start)
            let produced = Int.random(in: 0...Int(capacity), using: &random)
            #expect(try producer.produce(numbered(0, count: produced)).count == produced)
            let lastSeen = start  // the producer has seen the start index only
            for delta in -40...40 {
                let observed = lastSeen &+ UInt32(bitPattern: Int32(delta))
                region.poke(observed, at: Self.consumerWord)
                let believable = delta >= 0 && delta <= produced
                #expect(((try? producer.refreshFreeSlots()) != nil) == believable)
                region.poke(lastSeen, at: Self.consumerWord)
                producer = RingProducer(memory: memory, startIndex: start)
                _ = try producer.produce(numbered(0, count: produced))
            }
        }
    }

    @Test("garbage descriptors come out as they are and are caught by the bound check")
    func garbageDescriptors() throws {
        let (region, memory) = try makeRing(capacity: 4)
        var consumer = RingConsumer(memory: memory)
        let slot = memory.layout.slotOffset(0)
        region.poke(0xFFFF_FFF0, at: slot + RingField.Descriptor.frame.lowerBound)
        region.poke(70_000, at: slot + RingField.Descriptor.length.lowerBound)
        region.poke(1, at: Self.producerWord)
        let taken = try consumer.take(4)
        #expect(taken == [RingDescriptor(frame: 0xFFFF_FFF0, length: 70_000)])
        #expect(FrameBounds(frameCount: 1024, frameSize: 4096).check(taken[0]) == .frameOutOfRange(0xFFFF_FFF0))
    }

    @Test("a third thread scribbling garbage never makes either end crash or write outside its ring")
    func concurrentScribbler() throws {
        let layout = try SessionRingsLayout(capacity: 64)
        let region = RingRegion(byteCount: layout.byteCount)
        layout.initialize(unsafeRegion: region.base)
        let stop = StopFlag()
        let scribbler = TestThread { [region] in
            var random = SeededGenerator(seed: 0xBAD_C0DE)
            while !stop.isSet {
                for kind in [RingKind.fill, .rx] {
                    let base = layout.offset(of: kind)
                    let word = Int.random(in: 0..<(layout.ring(kind).byteCount / 4), using: &random)
                    let value: UInt32 = Bool.random(using: &random) ? .random(in: 0...UInt32.max, using: &random)
                                                                    : .random(in: 0...80, using: &random)
                    region.poke(value, at: base + word * 4)
                    // Also aim at the header words directly, half the time.
                    if Bool.random(using: &random) {
                        let header = [Self.producerWord, Self.consumerWord, RingField.flags.lowerBound]
                        region.poke(value, at: base + header.randomElement(using: &random)!)
                    }
                }
            }
        }
        // The daemon's ends: it consumes fill and produces rx.
        var fill = RingConsumer(memory: layout.memory(of: .fill, unsafeRegion: region.base))
        var rx = RingProducer(memory: layout.memory(of: .rx, unsafeRegion: region.base))
        let bounds = FrameBounds(frameCount: 64, frameSize: 2048)
        var buffer = [RingDescriptor](repeating: RingDescriptor(frame: 0, length: 0), count: 32)
        var (violations, taken, published, badDescriptors) = (0, 0, 0, 0)
        for round in 0..<200_000 {
            do {
                var span = buffer.mutableSpan
                let count = try fill.consume(into: &span, max: 1 + round % 32)
                #expect(count <= 1 + round % 32)
                taken += count
                for i in 0..<count where bounds.check(span[i]) != nil { badDescriptors += 1 }
            } catch {
                violations += 1
            }
            do {
                published += try rx.produce(buffer.span.extracting(0..<(1 + round % 32))).count
            } catch {
                violations += 1
            }
            if round % 1000 == 0 { _ = try? fill.prepareToSleep() }
        }
        stop.set()
        scribbler.join()
        #expect(violations > 0)
        #expect(taken > 0 && published > 0 && badDescriptors > 0)
        #expect(region.canariesIntact)
    }
}
