// Specification of what the tenant side does with descriptors no honest daemon writes:
// foreign or duplicated frames, bad lengths and flags, unbelievable indices. Counted, never
// delivered, and the frame accounting stays whole.

@testable import ExOS
import ExoPlatform
import ExoWire
import Testing

@Suite struct DataPathHostileDaemonTests {
    /// A data path with fill frames 0..<4 (posted, taken by the daemon) and transmit frames 10..<12.
    static func setUp() throws -> (DaemonRole, DataPath) {
        let daemon = try DaemonRole(capacity: 16)
        let path = try daemon.makeDataPath()
        try path.postFill(daemon.makeFrames(0..<4))
        try path.addTransmitFrames(daemon.makeFrames(10..<12))
        path.flush()
        try daemon.takeFill()
        return (daemon, path)
    }

    /// Packets delivered by one receive, as (frame, length).
    static func drain(_ path: DataPath) -> [(FrameNumber, Int)] {
        var seen: [(FrameNumber, Int)] = []
        var batch = path.receive()
        while let packet = batch.next() {
            seen.append((packet.frame, packet.length))
            packet.recycle()
        }
        return seen
    }

    @Test func rxNamingAFrameNotOnFillIsIgnored() throws {
        let (daemon, path) = try Self.setUp()
        try daemon.postRaw(on: .rx, RingDescriptor(frame: 77, length: 10))  // not ours
        try daemon.postRaw(on: .rx, RingDescriptor(frame: 10, length: 10))  // ours, but a transmit frame
        #expect(Self.drain(path).isEmpty)
        #expect(path.counters.rxForeignFrames == 2)
        #expect(path.census()[.free] == 2 && path.census()[.fillPosted] == 4)
    }

    @Test func aFrameDeliveredTwiceIsDeliveredOnce() throws {
        let (daemon, path) = try Self.setUp()
        try daemon.postRaw(on: .rx, RingDescriptor(frame: 2, length: 40))
        try daemon.postRaw(on: .rx, RingDescriptor(frame: 2, length: 40))
        let seen = Self.drain(path)
        #expect(seen.count == 1 && seen[0].0 == 2)
        #expect(path.counters.rxForeignFrames == 1)
        #expect(path.census()[.fillStaged] == 1 && path.census()[.fillPosted] == 3)
    }

    @Test func aBadLengthOrFlagsSendsTheFrameBackToFillUndelivered() throws {
        let (daemon, path) = try Self.setUp()
        try daemon.postRaw(on: .rx, RingDescriptor(frame: 0, length: UInt32(DaemonRole.frameSize) + 1))
        try daemon.postRaw(on: .rx, RingDescriptor(frame: 1, length: 10, flags: 4))
        try daemon.postRaw(on: .rx, RingDescriptor(frame: 3, length: UInt32(DaemonRole.frameSize)))
        let seen = Self.drain(path)
        #expect(seen.count == 1 && seen[0].0 == 3 && seen[0].1 == DaemonRole.frameSize)
        #expect(path.counters.rxBadDescriptors == 2)
        #expect(path.census()[.fillStaged] == 3)
        path.flush()
        for frame: FrameNumber in [0, 1, 3] { daemon.relinquish(frame) }
        #expect(try daemon.takeFill() == 3)
    }

    @Test func aCompletionForAFrameNotInFlightIsIgnored() throws {
        let (daemon, path) = try Self.setUp()
        try daemon.postRaw(on: .completion, RingDescriptor(frame: 10, length: 0))  // in the pool, not sent
        try daemon.postRaw(on: .completion, RingDescriptor(frame: 1, length: 0))  // a fill frame
        try daemon.postRaw(on: .completion, RingDescriptor(frame: 500, length: 0))
        path.flush()
        #expect(path.counters.completionForeignFrames == 3)
        #expect(path.counters.completed == 0)
        #expect(path.census()[.free] == 2 && path.census()[.fillPosted] == 4)
    }

    @Test func anUnbelievableProducerIndexDeliversNothingUntilItIsBelievable() throws {
        let (daemon, path) = try Self.setUp()
        let rxRing = daemon.regionBase + daemon.layout.offset(of: .rx)
        let index = rxRing.assumingMemoryBound(to: UInt32.self)
        index.pointee = 17  // a ring of 16 cannot hold 17 entries
        #expect(Self.drain(path).isEmpty)
        #expect(path.counters.ringViolations >= 1)
        index.pointee = 0
        try daemon.deliver(packet(5))
        #expect(Self.drain(path).count == 1)
        #expect(path.census().total == 6)
    }
}
