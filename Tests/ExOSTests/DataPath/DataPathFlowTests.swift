// Specification of the tenant side of the data path against an in-process daemon role:
// fill → rx → recycle, transmit pool → tx → completion, in-place replies, slot lifetimes.

@testable import ExOS
import ExoPlatform
import ExoWire
import Testing

/// Bytes of the packet a test delivers as number `n`.
func packet(_ n: Int, length: Int = 64) -> [UInt8] {
    (0..<length).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0) }
}

@Suite struct DataPathFlowTests {
    @Test func postedFillFramesReachTheDaemonOnlyAtFlush() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(100..<108))
        #expect(path.census()[.fillStaged] == 8)
        #expect(try daemon.takeFill() == 0)
        path.flush()
        #expect(path.census()[.fillPosted] == 8)
        #expect(try daemon.takeFill() == 8)
        #expect(daemon.fillStock == Array(100..<108))
        #expect(path.counters.fillPosted == 8)
    }

    @Test func receivedPacketIsReadInPlaceAndRecycledOntoFill() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<4))
        path.flush()
        let used = try #require(try daemon.deliver(packet(7, length: 300)))
        var batch = path.receive(max: 8)
        let received = try required(batch.next(), "a packet")
        #expect(received.frame == used)
        #expect(received.length == 300)
        let bytes = received.withBytes { span in (0..<span.byteCount).map { span.unsafeLoad(fromByteOffset: $0, as: UInt8.self) } }
        #expect(bytes == packet(7, length: 300))
        #expect(path.census()[.received] == 1)
        received.recycle()
        let exhausted = isNone(batch.next())
        #expect(exhausted)
        _ = consume batch
        #expect(path.census()[.fillStaged] == 1)
        path.flush()
        try daemon.takeFill()
        #expect(daemon.fillStock.last == used)
        #expect(path.census()[.fillPosted] == 4)
        #expect(path.counters.received == 1 && path.counters.receivedBytes == 300)
    }

    @Test func receiveTakesAtMostMaxAndLeavesTheRestOnTheRing() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<10))
        path.flush()
        for n in 0..<10 { try daemon.deliver(packet(n)) }
        var seen: [Int] = []
        for _ in 0..<3 {
            var batch = path.receive(max: 4)
            while let received = batch.next() {
                seen.append(Int(received.withBytes { $0.unsafeLoad(fromByteOffset: 0, as: UInt8.self) }))
                received.recycle()
            }
        }
        #expect(seen == (0..<10).map { Int(packet($0)[0]) })
    }

    @Test func droppingAPacketOrABatchReturnsFramesToFill() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<6))
        path.flush()
        for n in 0..<5 { try daemon.deliver(packet(n)) }
        do {
            var batch = path.receive()
            do { _ = batch.next() }  // dropped without recycle
            #expect(path.census()[.received] == 0)
            #expect(path.census()[.fillStaged] == 1)
        }  // batch dropped with four packets never taken
        #expect(path.counters.abandoned == 4)
        #expect(path.census()[.fillStaged] == 5)
        path.flush()
        #expect(try daemon.takeFill() == 5)
        #expect(path.census()[.fillPosted] == 6)
    }

    @Test func transmitSlotsComeFromThePoolAndReturnOnCompletion() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.addTransmitFrames(daemon.makeFrames(50..<53))
        var frames: [FrameNumber] = []
        for n in 0..<3 {
            var slot = try required(path.transmitSlot(), "a transmit slot")
            #expect(slot.capacity == DaemonRole.frameSize)
            frames.append(slot.frame)
            slot.withMutableBytes { span in
                for (i, byte) in packet(n, length: 100).enumerated() { span.storeBytes(of: byte, toByteOffset: i, as: UInt8.self) }
            }
            slot.send(length: 100)
        }
        let poolEmpty = isNone(path.transmitSlot())
        #expect(poolEmpty)
        #expect(path.census()[.txStaged] == 3)
        path.flush()
        let sent = try daemon.takeTransmitted()
        #expect(sent.map(\.frame) == frames)
        #expect(sent.map(\.bytes) == (0..<3).map { packet($0, length: 100) })
        #expect(path.counters.transmitted == 3 && path.counters.transmittedBytes == 300)
        let noneInFlight = isNone(path.transmitSlot())
        #expect(noneInFlight)  // still in flight
        try daemon.complete(frames[1])
        let again = try required(path.transmitSlot(), "a transmit slot")
        #expect(again.frame == frames[1])
        #expect(path.counters.completed == 1)
        _ = consume again  // dropped unsent: back to the pool
        #expect(path.census()[.free] == 1)
    }

    @Test func aReceivedFrameSentInPlaceReturnsToFillAfterCompletion() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<2))
        path.flush()
        let used = try #require(try daemon.deliver(packet(3, length: 80)))
        do {
            var batch = path.receive()
            let received = try required(batch.next(), "a packet")
            var slot = received.reuseForTransmit()
            #expect(slot.frame == used)
            slot.withMutableBytes { $0.storeBytes(of: 0xEE, toByteOffset: 0, as: UInt8.self) }
            slot.send(length: 80)
        }
        path.flush()
        let sent = try daemon.takeTransmitted()
        #expect(sent.count == 1 && sent[0].frame == used)
        #expect(sent[0].bytes == [0xEE] + packet(3, length: 80).dropFirst())
        try daemon.complete(used)
        path.flush()
        #expect(path.census()[.fillPosted] == 2)
        try daemon.takeFill()
        #expect(daemon.fillStock.contains(used))
        let noneFromFill = isNone(path.transmitSlot())
        #expect(noneFromFill)  // a receive frame never joins the transmit pool
    }

    @Test func framesAreAdoptedOnlyOnceAndOnlyWritable() throws {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        let frames = try daemon.makeFrames(0..<2)
        try path.postFill(frames)
        #expect(throws: DataPathError.frameAlreadyInUse(0)) { try path.addTransmitFrames([frames[0]]) }
        let other = try daemon.makeDataPath()
        #expect(throws: DataPathError.frameAlreadyInUse(1)) { try other.postFill([frames[1]]) }
        let readOnly = try daemon.makeFrames([9], rights: [.read])
        #expect(throws: DataPathError.frameNotWritable(9)) { try path.postFill(readOnly) }
        let twice = try daemon.makeFrames([10])
        #expect(throws: DataPathError.frameAlreadyInUse(10)) { try path.postFill([twice[0], twice[0]]) }
        #expect(path.frameNumbers == [0, 1])
        frames[0].unmap()  // refused while the data path uses it
        #expect(frames[0].withUnsafeBytes { $0.count } == DaemonRole.frameSize)
    }
}
