// A tenant's data path as a client process has it: frames allocated and mapped through the
// control protocol (one memfd each), the ring region and both eventfds from `openDataPath`,
// fill and tx produced, rx and completion consumed, tx kicked through the eventfd. Nothing
// here reads the daemon's memory: packet bytes go through the tenant's own mappings.

import ExoCore
import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

final class TenantDataPath {
    let peer: ControlPeer
    let info: DataPathInfo
    private let region: MappedMemory
    private let kick: EventFD
    private let wakeup: EventFD
    private var fill: RingProducer
    private var tx: RingProducer
    private var rx: RingConsumer
    private var completion: RingConsumer
    /// The tenant's own writable mapping of each frame it holds.
    private var mappings: [FrameNumber: MappedMemory] = [:]
    /// Frames held and not posted on a ring (a stack).
    private(set) var frames: [FrameNumber] = []

    /// Allocates and maps `frameCount` frames, opens the data path and posts `fillFrames` of
    /// the frames on fill.
    init(peer: ControlPeer, frameCount: UInt32 = 16, fillFrames: Int = 8) throws {
        self.peer = peer
        let held = try peer.call(ControlCalls.allocateAny(count: frameCount)).map(\.frame)
        let (mapped, frameFiles) = try peer.exchange(.map(frames: held))
        guard case .mapped(let holdings) = mapped, frameFiles.count == held.count else {
            throw PeerFailure("map answered \(mapped) with \(frameFiles.count) descriptors")
        }
        let (opened, files) = try peer.exchange(.openDataPath(ringCapacity: 64))
        guard case .dataPathOpened(let info) = opened, files.count == 3 else {
            throw PeerFailure("openDataPath answered \(opened) with \(files.count) descriptors")
        }
        self.info = info
        for (holding, file) in zip(holdings, frameFiles) {
            mappings[holding.frame] = try MappedMemory.map(file.raw, length: Int(info.frameSize), writable: true)
        }
        frames = held
        let layout = try SessionRingsLayout(capacity: info.ringCapacity)
        region = try MappedMemory.map(files[0].raw, length: Int(info.regionSize), writable: true)
        wakeup = EventFD(adopting: files[1])
        kick = EventFD(adopting: files[2])
        let base = region.withUnsafeMutableBytes { $0.baseAddress! }
        fill = RingProducer(memory: layout.memory(of: .fill, unsafeRegion: base))
        tx = RingProducer(memory: layout.memory(of: .tx, unsafeRegion: base))
        rx = RingConsumer(memory: layout.memory(of: .rx, unsafeRegion: base))
        completion = RingConsumer(memory: layout.memory(of: .completion, unsafeRegion: base))
        try postFill(count: fillFrames)
    }

    /// The tenant's first address and the MAC it sends with.
    var address: AddressGrant { info.addresses[0] }

    /// Binds a UDP port of the tenant's first address.
    func bindUDP(port: UInt16) throws {
        _ = try peer.call(ControlCalls.bind(WireEndpoint(proto: 17, address: address.address, port: port)))
    }

    /// Posts `count` held frames on fill, to receive into.
    func postFill(count: Int) throws {
        let batch = (0..<count).map { _ in RingDescriptor(frame: frames.removeLast(), length: 0) }
        #expect(try fill.produce(batch.span).count == count)
    }

    /// Writes each packet into a held frame, posts them on tx and kicks the daemon, as
    /// ExOS does when the ring asks for a wake-up; `kick` false: a lost kick.
    func send(_ packets: [[UInt8]], kick: Bool = true) throws {
        var batch: [RingDescriptor] = []
        for packet in packets {
            let frame = frames.removeLast()
            try write(packet, into: frame)
            batch.append(RingDescriptor(frame: frame, length: UInt32(packet.count)))
        }
        #expect(try tx.produce(batch.span).count == packets.count)
        if kick { self.kick.signal() }
    }

    /// Kicks the daemon's tx wake-up without posting anything.
    func kickDaemon() { kick.signal() }

    /// Every packet published on rx since the last call, oldest first, read through the
    /// tenant's own mappings; their frames are held again.
    func received() throws -> [[UInt8]] {
        _ = wakeup.drain()
        return try consume(&rx).map { descriptor in
            frames.append(descriptor.frame)
            return try read(descriptor.frame, length: Int(descriptor.length))
        }
    }

    /// Frames handed back on completion since the last call; they are held again.
    func completed() throws -> [FrameNumber] {
        let done = try consume(&completion).map(\.frame)
        frames += done
        return done
    }

    func write(_ bytes: [UInt8], into frame: FrameNumber) throws {
        guard let mapping = mappings[frame] else { throw PeerFailure("frame \(frame) is not mapped") }
        mapping.withUnsafeMutableBytes { $0.copyBytes(from: bytes) }
    }

    func read(_ frame: FrameNumber, length: Int) throws -> [UInt8] {
        guard let mapping = mappings[frame] else { throw PeerFailure("frame \(frame) is not mapped") }
        return mapping.withUnsafeBytes { Array($0[0..<length]) }
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
