// The stack's storage and tables: the packet queue and byte ring (bounded, wrapping, FIFO),
// the flow table (against a dictionary as model) and generational socket handles.

import ExoImpairment
import ExoPacket
import Testing

@testable import ExOS

@Suite struct StackStorageTests {
    @Test func aPacketQueueKeepsOrderWrapsAndRefusesWhenFull() {
        var queue = PacketQueue<Int>(packets: 4, bytes: 10, filler: 0)
        func push(_ value: Int, _ length: Int) -> Bool {
            queue.enqueue(length: length, metadata: value) { bytes in
                for i in 0..<bytes.count { bytes.setU8(i, UInt8(value)) }
            }
        }
        func pop() -> (Int, [UInt8])? {
            defer { queue.removeFront() }
            return queue.withFront { ($0, $1.array) }
        }
        #expect(push(1, 4) && push(2, 4))
        #expect(!push(3, 4))  // 8 of 10 bytes used, 4 more do not fit at the end or the start
        #expect(pop()! == (1, [1, 1, 1, 1]))
        #expect(push(3, 4))  // wraps to the start
        #expect(!push(4, 1))  // the wrapped write reached the oldest packet
        #expect(pop()! == (2, [2, 2, 2, 2]))
        #expect(push(4, 0) && push(5, 5))
        #expect(pop()! == (3, [3, 3, 3, 3]) && pop()! == (4, []) && pop()! == (5, [5, 5, 5, 5, 5]))
        #expect(pop() == nil && queue.isEmpty)
        #expect(!push(6, 11) && push(6, 10))
    }

    @Test func aPacketQueueMatchesAFIFOModelUnderRandomUse() {
        let seed: UInt64 = 77
        var random = SeededRandom(seed: seed)
        var queue = PacketQueue<UInt32>(packets: 8, bytes: 300, filler: 0)
        var model: [(UInt32, Int)] = []
        for step in 0..<20_000 as Range<UInt32> {
            if random.chance(0.55) {
                let length = Int(random.below(120))
                let added = queue.enqueue(length: length, metadata: step) { bytes in
                    for i in 0..<bytes.count { bytes.setU8(i, UInt8(truncatingIfNeeded: step &+ UInt32(i))) }
                }
                if added { model.append((step, length)) }
                #expect(added || queue.isFull || model.reduce(0) { $0 + $1.1 } + length > 300 - 120, "seed \(seed)")
            } else if let (value, length) = model.first {
                let front = queue.withFront { ($0, $1.array) }
                #expect(front?.0 == value && front?.1 == (0..<length).map { UInt8(truncatingIfNeeded: value &+ UInt32($0)) }, "seed \(seed)")
                queue.removeFront()
                model.removeFirst()
            }
        }
    }

    @Test func aByteRingWrapsReadsAheadAndDiscards() {
        var ring = ByteRing(capacity: 8)
        func write(_ bytes: [UInt8]) -> Int { bytes.withUnsafeBytes { ring.write(PacketBytes(unsafeBuffer: $0)) } }
        func read(_ count: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: count)
            let n = MutablePacketBytes.with(&out) { ring.read(into: $0) }
            return Array(out.prefix(n))
        }
        #expect(write([1, 2, 3, 4, 5, 6]) == 6)
        #expect(read(4) == [1, 2, 3, 4])
        #expect(write([7, 8, 9, 10, 11, 12, 13]) == 6)  // two free before, four wrapped
        #expect(ring.isFull)
        var ahead = [UInt8](repeating: 0, count: 3)
        #expect(MutablePacketBytes.with(&ahead) { ring.copy(from: 2, into: $0) } == 3)
        #expect(ahead == [7, 8, 9])
        #expect(ring.discard(1) == 1)
        #expect(read(100) == [6, 7, 8, 9, 10, 11, 12])
        #expect(ring.isEmpty && read(1) == [])
    }

    @Test func theFlowTableAgreesWithADictionary() {
        let seed: UInt64 = 88
        var random = SeededRandom(seed: seed)
        var table = FlowTable(maximumEntries: 64, secret: 0x1234)
        var model: [FlowKey: Int] = [:]
        for step in 0..<50_000 {
            let key = FlowKey(
                proto: random.chance(0.5) ? .udp : .tcp, localAddress: IPv4Address(10, 0, 0, UInt8(random.below(3))),
                localPort: UInt16(random.below(40)), remoteAddress: random.chance(0.5) ? .any : IPv4Address(10, 0, 1, 1),
                remotePort: 0)
            if random.chance(0.5) {
                let inserted = table.insert(key, value: step)
                #expect(inserted == (model[key] == nil && model.count < 64), "seed \(seed)")
                if inserted { model[key] = step }
            } else {
                table.remove(key)
                model[key] = nil
            }
            #expect(table.find(key) == model[key], "seed \(seed)")
            #expect(table.count == model.count)
        }
        for (key, value) in model { #expect(table.find(key) == value, "seed \(seed)") }
    }

    @Test func aFlowLookupPrefersTheExactFourTupleOverTheListener() {
        var table = FlowTable(maximumEntries: 4, secret: 1)
        let listener = FlowKey(proto: .tcp, localAddress: Hosts.address(1), localPort: 80)
        var connection = listener
        connection.remoteAddress = Hosts.address(2)
        connection.remotePort = 5555
        #expect(table.insert(listener, value: 1) && table.insert(connection, value: 2))
        var other = connection
        other.remotePort = 6666
        #expect(table.lookup(connection) == 2 && table.lookup(other) == 1)
    }

    @Test func aHandleOutlivesItsSocketOnlyAsAStaleHandle() {
        var table = SocketTable<String>(capacity: 2)
        let first = table.insert("a")!
        let second = table.insert("b")!
        #expect(table.insert("c") == nil)
        table.remove(first)
        let reused = table.insert("c")!
        #expect(reused.index == first.index && reused != first)
        #expect(table.resolve(first) == nil && table.resolve(reused) != nil && table.resolve(second) != nil)
    }
}
