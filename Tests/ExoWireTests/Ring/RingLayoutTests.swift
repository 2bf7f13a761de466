// The ring layout table and the session region: offsets, sizes, capacity rules, versions.

import ExoWire
import Synchronization
import Testing

@Suite("Ring layout")
struct RingLayoutTests {
    @Test("header words sit alone on their own 64-byte cache lines, descriptors follow")
    func headerOffsets() {
        #expect(RingField.producerIndex == 0..<4)
        #expect(RingField.consumerIndex == 64..<68)
        #expect(RingField.flags == 128..<132)
        #expect(RingField.headerSize == 192)
        let lines = [RingField.producerIndex, RingField.consumerIndex, RingField.flags].map { $0.lowerBound / 64 }
        #expect(Set(lines).count == 3)
        #expect(RingField.headerSize % 64 == 0)
    }

    @Test("a descriptor is frame, length, flags and a reserved word: 16 bytes")
    func descriptorFields() {
        #expect(RingField.Descriptor.frame == 0..<4)
        #expect(RingField.Descriptor.length == 4..<8)
        #expect(RingField.Descriptor.flags == 8..<12)
        #expect(RingField.Descriptor.reserved == 12..<16)
        #expect(RingField.Descriptor.stride == 16)
        #expect(64 % RingField.Descriptor.stride == 0)
    }

    @Test("Atomic<UInt32> has exactly the size and alignment of a UInt32 field")
    func atomicWordLayout() {
        #expect(MemoryLayout<Atomic<UInt32>>.size == 4)
        #expect(MemoryLayout<Atomic<UInt32>>.stride == 4)
        #expect(MemoryLayout<Atomic<UInt32>>.alignment == 4)
    }

    @Test("every power of two from 1 to 65,536 is a capacity; byte count is header plus slots")
    func powersOfTwo() throws {
        for shift in 0...16 {
            let layout = try RingLayout(capacity: 1 << shift)
            #expect(layout.mask == (1 << shift) - 1)
            #expect(layout.byteCount == 192 + 16 << shift)
            #expect(layout.byteCount % 64 == 0 || shift < 2)
        }
    }

    @Test("zero, non-powers of two and capacities over 65,536 are refused", arguments: [
        0, 3, 5, 6, 7, 12, 100, 1000, 65_535, 65_537, 1 << 17, 1 << 31, UInt32.max,
    ] as [UInt32])
    func badCapacities(capacity: UInt32) {
        #expect(throws: RingLayoutError.badCapacity(capacity)) { try RingLayout(capacity: capacity) }
    }

    @Test("exhaustively below 4,096: a capacity is accepted exactly when it is a power of two")
    func capacityRuleExhaustive() {
        for capacity in UInt32(0)..<4096 {
            let isPowerOfTwo = capacity != 0 && capacity.nonzeroBitCount == 1
            #expect((try? RingLayout(capacity: capacity)) != nil || !isPowerOfTwo)
            #expect((try? RingLayout(capacity: capacity)) == nil || isPowerOfTwo)
        }
    }

    @Test("a slot offset masks the free-running index")
    func slotOffsets() throws {
        let layout = try RingLayout(capacity: 8)
        #expect(layout.slotOffset(0) == 192)
        #expect(layout.slotOffset(7) == 192 + 7 * 16)
        #expect(layout.slotOffset(8) == 192)
        #expect(layout.slotOffset(UInt32.max) == 192 + 7 * 16)
        for index in [UInt32(0), 1, 1000, UInt32.max - 3, UInt32.max] {
            #expect(layout.slotOffset(index) + 16 <= layout.byteCount)
        }
    }

    @Test("a session's rings lie in fill, rx, tx, completion order, page-aligned, disjoint")
    func sessionRegion() throws {
        let layout = try SessionRingsLayout(fill: 4096, rx: 2048, tx: 256, completion: 1)
        #expect(layout.version == 1)
        #expect(layout.offset(of: .fill) == 0)
        #expect(layout.offset(of: .rx) == 69_632)  // 192 + 65,536 = 65,728 → 17 pages
        #expect(layout.offset(of: .tx) == 69_632 + 36_864)  // 192 + 32,768 → 9 pages
        #expect(layout.offset(of: .completion) == 69_632 + 36_864 + 8_192)  // 192 + 4,096 → 2 pages
        #expect(layout.byteCount == 69_632 + 36_864 + 8_192 + 4_096)
        var end = 0
        for kind in RingKind.allCases {
            #expect(layout.offset(of: kind) % SessionRingsLayout.pageSize == 0)
            #expect(layout.offset(of: kind) >= end)
            end = layout.offset(of: kind) + layout.ring(kind).byteCount
        }
        #expect(end <= layout.byteCount)
        #expect(layout.byteCount % SessionRingsLayout.pageSize == 0)
    }

    @Test("the tenant produces on fill and tx, the daemon on rx and completion")
    func parties() {
        #expect(RingKind.fill.producer == .tenant && RingKind.fill.consumer == .daemon)
        #expect(RingKind.rx.producer == .daemon && RingKind.rx.consumer == .tenant)
        #expect(RingKind.tx.producer == .tenant && RingKind.tx.consumer == .daemon)
        #expect(RingKind.completion.producer == .daemon && RingKind.completion.consumer == .tenant)
    }

    @Test("unknown layout versions and bad capacities are refused")
    func sessionRefusals() {
        #expect(throws: RingLayoutError.unsupportedVersion(2)) { try SessionRingsLayout(version: 2, capacity: 64) }
        #expect(throws: RingLayoutError.unsupportedVersion(0)) { try SessionRingsLayout(version: 0, capacity: 64) }
        #expect(throws: RingLayoutError.badCapacity(3)) {
            try SessionRingsLayout(fill: 64, rx: 64, tx: 3, completion: 64)
        }
    }

    @Test("initializing a region sets every ring's indices and leaves nothing outside it")
    func initializeRegion() throws {
        let layout = try SessionRingsLayout(capacity: 16)
        let region = RingRegion(byteCount: layout.byteCount)
        region.base.initializeMemory(as: UInt8.self, repeating: 0xEE, count: layout.byteCount)
        layout.initialize(unsafeRegion: region.base, startIndex: 77)
        for kind in RingKind.allCases {
            let memory = layout.memory(of: kind, unsafeRegion: region.base)
            #expect(memory.layout.capacity == 16)
            #expect(memory.sharedProducerIndex == 77)
            #expect(memory.sharedConsumerIndex == 77)
            #expect(memory.sharedFlags == 0)
            #expect(region.peek(at: layout.offset(of: kind) + layout.ring(kind).slotOffset(5)) == 0)
        }
        #expect(region.canariesIntact)
    }
}
