// The daemon's side of a data path, played in-process: a real sealed memfd ring region and
// real frame memfds, each mapped twice (daemon and tenant), the daemon's four ring ends and
// two real eventfds. Lets tests drive the tenant's DataPath exactly as exokerneld would.

@testable import ExOS
import ExoPlatform
import ExoWire
import Glibc
import Testing

/// Thrown by the daemon role when the tenant broke the ring contract (or a ring failed).
struct DaemonRoleFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The daemon ends of one tenant's rings. Used from one thread at a time (tests hand it to a
/// daemon thread; `@unchecked` because it owns ~Copyable ring ends and mappings only it uses).
final class DaemonRole: @unchecked Sendable {
    static let frameSize = 2048

    let layout: SessionRingsLayout
    private let region: MappedMemory
    /// The daemon's mapping of the region (for tests that inspect shared words).
    var regionBase: UnsafeMutableRawPointer { region.withUnsafeMutableBytes { $0.baseAddress! } }
    var fill: RingConsumer
    var rx: RingProducer
    var tx: RingConsumer
    var completion: RingProducer
    /// Signalled by the daemon after rx/completion posts the tenant asked to be woken for.
    let daemonToTenant: EventFD
    /// Signalled by the tenant after fill/tx posts the daemon asked to be woken for.
    let tenantToDaemon: EventFD
    /// The daemon's own mapping of each frame, by frame number.
    private(set) var frameBases: [FrameNumber: UnsafeMutableRawPointer] = [:]
    private var frameMappings: [MappedMemory] = []
    private var frameDescriptors: [FrameNumber: OwnedDescriptor] = [:]
    /// Frames the tenant put on fill that the daemon has not yet used: the daemon's fill stock.
    private(set) var fillStock: [FrameNumber] = []
    /// Frames taken off tx and not yet completed.
    private var transmitHeld = 0
    /// Where the daemon believes each frame is: catches a frame posted twice.
    private(set) var daemonHolds: Set<FrameNumber> = []

    init(capacity: UInt32) throws {
        layout = try SessionRingsLayout(capacity: capacity)
        let memfd = try FrameMemory.createSealed(name: "test-rings", size: layout.byteCount)
        let daemonMap = try MappedMemory.map(memfd.raw, length: layout.byteCount, writable: true)
        let base = daemonMap.withUnsafeMutableBytes { $0.baseAddress! }
        layout.initialize(unsafeRegion: base)
        region = daemonMap
        fill = RingConsumer(memory: layout.memory(of: .fill, unsafeRegion: base))
        rx = RingProducer(memory: layout.memory(of: .rx, unsafeRegion: base))
        tx = RingConsumer(memory: layout.memory(of: .tx, unsafeRegion: base))
        completion = RingProducer(memory: layout.memory(of: .completion, unsafeRegion: base))
        daemonToTenant = try EventFD()
        tenantToDaemon = try EventFD()
        regionDescriptor = memfd
    }

    private let regionDescriptor: OwnedDescriptor

    /// A tenant DataPath over a second mapping of the region, with duplicates of the eventfds
    /// (as if they had crossed SCM_RIGHTS).
    func makeDataPath() throws -> DataPath {
        let tenantMap = try MappedMemory.map(regionDescriptor.raw, length: layout.byteCount, writable: true)
        return DataPath(
            region: tenantMap, layout: layout, frameSize: Self.frameSize,
            daemonToTenant: EventFD(adopting: OwnedDescriptor(adopting: dup(daemonToTenant.fd))),
            tenantToDaemon: EventFD(adopting: OwnedDescriptor(adopting: dup(tenantToDaemon.fd))))
    }

    /// New frames `numbers`: a sealed memfd each, mapped here, and the tenant's writable mapping.
    func makeFrames(_ numbers: some Sequence<FrameNumber>, rights: Rights = [.read, .write]) throws -> [MappedFrame] {
        var frames: [MappedFrame] = []
        for number in numbers {
            let memfd = try FrameMemory.createSealed(name: "test-frame", size: Self.frameSize)
            let mapping = try MappedMemory.map(memfd.raw, length: Self.frameSize, writable: true)
            frameBases[number] = mapping.withUnsafeMutableBytes { $0.baseAddress! }
            frameMappings.append(mapping)
            let holding = HoldingInfo(frame: number, holding: UInt64(number) + 1, epoch: 1, rights: rights)
            frames.append(try MappedFrame(holding: holding, descriptor: OwnedDescriptor(adopting: dup(memfd.raw)), length: Self.frameSize))
            frameDescriptors[number] = memfd
        }
        return frames
    }

    // MARK: Daemon behaviour

    /// Takes every fill descriptor into the fill stock; fails on a frame the daemon already holds.
    @discardableResult
    func takeFill() throws -> Int {
        var buffer = [RingDescriptor](repeating: RingDescriptor(frame: 0, length: 0), count: Int(layout.fill.capacity))
        var span = buffer.mutableSpan
        let count = try fill.consume(into: &span)
        for descriptor in buffer.prefix(count) {
            guard frameBases[descriptor.frame] != nil else { throw DaemonRoleFailure("fill names unknown frame \(descriptor.frame)") }
            guard daemonHolds.insert(descriptor.frame).inserted else {
                throw DaemonRoleFailure("frame \(descriptor.frame) posted on fill while the daemon holds it")
            }
            fillStock.append(descriptor.frame)
        }
        return count
    }

    /// True when `deliver` would take a packet now: the rx ring has a free slot and a fill
    /// frame is at hand (taken off the fill ring if needed).
    func canDeliver() throws -> Bool {
        if rx.cachedFreeSlots == 0, try rx.refreshFreeSlots() == 0 { return false }
        if fillStock.isEmpty { try takeFill() }
        return !fillStock.isEmpty
    }

    /// Receives `payload` into the oldest fill frame and posts it on rx; kicks when asked.
    /// Returns the frame used, or nil with no fill frame or a full rx ring (nothing taken).
    @discardableResult
    func deliver(_ payload: [UInt8]) throws -> FrameNumber? {
        if rx.cachedFreeSlots == 0, try rx.refreshFreeSlots() == 0 { return nil }
        if fillStock.isEmpty { try takeFill() }
        guard !fillStock.isEmpty else { return nil }
        let frame = fillStock.removeFirst()
        payload.withUnsafeBytes { frameBases[frame]!.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        try postRaw(on: .rx, RingDescriptor(frame: frame, length: UInt32(payload.count)))
        daemonHolds.remove(frame)
        return frame
    }

    /// Forgets that the daemon holds `frame` (after a forged rx post handed it back by hand).
    func relinquish(_ frame: FrameNumber) {
        daemonHolds.remove(frame)
        fillStock.removeAll { $0 == frame }
    }

    /// Posts `descriptor` as is on rx or completion (hostile tests forge these); kicks when asked.
    func postRaw(on ring: RingKind, _ descriptor: RingDescriptor) throws {
        let one = [descriptor]
        let publish = try (ring == .rx ? rx.produce(one.span) : completion.produce(one.span))
        guard publish.count == 1 else { throw DaemonRoleFailure("\(ring) ring full") }
        if publish.wakeupNeeded { daemonToTenant.signal() }
    }

    /// Consumes tx descriptors, as many as the completion ring has room to hand back (so a
    /// completion never has nowhere to go), returning (frame, bytes sent); fails on a frame
    /// posted twice.
    func takeTransmitted() throws -> [(frame: FrameNumber, bytes: [UInt8])] {
        var buffer = [RingDescriptor](repeating: RingDescriptor(frame: 0, length: 0), count: Int(layout.tx.capacity))
        var span = buffer.mutableSpan
        let room = try completion.refreshFreeSlots() - transmitHeld
        let count = try tx.consume(into: &span, max: max(room, 0))
        transmitHeld += count
        return try buffer.prefix(count).map { descriptor in
            guard let base = frameBases[descriptor.frame], descriptor.length <= UInt32(Self.frameSize) else {
                throw DaemonRoleFailure("bad tx descriptor \(descriptor)")
            }
            guard daemonHolds.insert(descriptor.frame).inserted else {
                throw DaemonRoleFailure("frame \(descriptor.frame) posted on tx while the daemon holds it")
            }
            return (descriptor.frame, Array(UnsafeRawBufferPointer(start: base, count: Int(descriptor.length))))
        }
    }

    /// Hands a transmitted frame back on completion.
    func complete(_ frame: FrameNumber) throws {
        guard daemonHolds.remove(frame) != nil else { throw DaemonRoleFailure("completing frame \(frame) not held") }
        transmitHeld -= 1
        try postRaw(on: .completion, RingDescriptor(frame: frame, length: 0))
    }
}

// MARK: Helpers for ~Copyable values (Swift Testing's macros need Copyable operands)

/// True when `value` is nil; a non-nil value is dropped (its deinit runs).
func isNone<Value: ~Copyable>(_ value: consuming Value?) -> Bool {
    switch consume value {
    case .none: true
    case .some: false
    }
}

/// The value, or a thrown failure naming `what`.
func required<Value: ~Copyable>(_ value: consuming Value?, _ what: String) throws -> Value {
    switch consume value {
    case .none: throw DaemonRoleFailure("expected \(what)")
    case .some(let present): return present
    }
}
