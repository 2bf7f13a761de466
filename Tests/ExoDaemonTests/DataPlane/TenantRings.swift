// The tenant's side of one session's rings, as ExOS's DataPathCore drives them: the region
// memfd mapped, fill and tx produced, rx and completion consumed. Frame contents are read
// and written through the daemon's own mapping of each frame (the same memfd a tenant maps).

import ExoCore
import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

/// A test's tenant. Owns the region mapping; `frames` are the frames it holds writable and
/// has not posted (a stack).
final class TenantRings {
    let session: SessionID
    let tenant: TenantID
    let info: DataPathInfo
    private let region: MappedMemory
    private var fill: RingProducer
    private var tx: RingProducer
    private var rx: RingConsumer
    private var completion: RingConsumer
    private let backing: FrameBackingStore
    private(set) var frames: [FrameNumber]

    init(session: SessionID, tenant: TenantID, info: DataPathInfo, memfd: OwnedDescriptor, frames: [FrameNumber],
        backing: FrameBackingStore) throws
    {
        self.session = session
        self.tenant = tenant
        self.info = info
        self.frames = frames
        self.backing = backing
        let layout = try SessionRingsLayout(capacity: info.ringCapacity)
        region = try MappedMemory.map(memfd.raw, length: Int(info.regionSize), writable: true)
        let base = region.withUnsafeMutableBytes { $0.baseAddress! }
        fill = RingProducer(memory: layout.memory(of: .fill, unsafeRegion: base))
        tx = RingProducer(memory: layout.memory(of: .tx, unsafeRegion: base))
        rx = RingConsumer(memory: layout.memory(of: .rx, unsafeRegion: base))
        completion = RingConsumer(memory: layout.memory(of: .completion, unsafeRegion: base))
    }

    /// Posts `count` of the held frames on fill, to receive into.
    func postFill(count: Int) throws {
        precondition(count <= frames.count, "not that many frames held")
        var batch: [RingDescriptor] = []
        for _ in 0..<count { batch.append(RingDescriptor(frame: frames.removeLast(), length: 0)) }
        let published = try fill.produce(batch.span)
        #expect(published.count == count)
    }

    /// Writes each packet into a held frame and posts it on tx.
    func send(_ packets: [[UInt8]]) throws {
        var batch: [RingDescriptor] = []
        for packet in packets {
            let frame = frames.removeLast()
            let base = try backing.mapping(frame: frame)
            packet.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: packet.count) }
            batch.append(RingDescriptor(frame: frame, length: UInt32(packet.count)))
        }
        let published = try tx.produce(batch.span)
        #expect(published.count == packets.count)
    }

    /// Every packet published on rx since the last call, oldest first; their frames go back
    /// to the held stack.
    func received() throws -> [[UInt8]] {
        var packets: [[UInt8]] = []
        for descriptor in try consume(&rx) {
            let base = try backing.mapping(frame: descriptor.frame)
            packets.append(Array(UnsafeRawBufferPointer(start: base, count: Int(descriptor.length))))
            frames.append(descriptor.frame)
        }
        return packets
    }

    /// The tx frames handed back on completion since the last call; they are held again.
    func completed() throws -> [FrameNumber] {
        let done = try consume(&completion).map(\.frame)
        frames += done
        return done
    }

    private func consume(_ ring: inout RingConsumer) throws -> [RingDescriptor] {
        var result: [RingDescriptor] = []
        var buffer = Array(repeating: RingDescriptor(frame: 0, length: 0), count: 64)
        while true {
            var span = buffer.mutableSpan
            let count = try ring.consume(into: &span, max: 64)
            if count == 0 { return result }
            result += buffer[0..<count]
        }
    }
}
