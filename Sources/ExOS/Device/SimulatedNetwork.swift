// An Ethernet segment in memory for tests and simulations: stations joined by a learning
// switch, each path with its own seeded impairment model (loss, duplication, reordering,
// delay, corruption, rate), frames held in a fixed pool until their delivery time.

import ExoImpairment
import ExoPacket

/// A simulated link joining `stations` stations. Single-threaded; time is whatever `now`
/// the callers pass (a ``Simulation``'s virtual clock). Allocates its pool once.
public final class SimulatedNetwork {
    /// One impairment model per (sender, receiver), so each path has its own fate stream.
    private var models: [ImpairmentModel]
    private var inFlight: TimedReleaseQueue<InFlightFrame>
    private var arrived: [FixedQueue<InFlightFrame>]
    private var pool: [UInt8]
    private var lengths: [Int]
    private var freeSlots: [Int]
    private var learned: [MACAddress: Int] = [:]
    /// Stations on the link, numbered from 0.
    public let stations: Int
    /// The largest frame the link carries, in bytes.
    public let frameCapacity: Int
    /// The seed every model was derived from (print it when a test fails).
    public let seed: UInt64
    /// Frames the pool or a station's queue had no room for.
    public private(set) var overflows = 0
    /// Frames sent, per station.
    public private(set) var sent: [Int]

    struct InFlightFrame {
        var slot: Int
        var station: Int
    }

    /// A segment of `stations` stations whose every path has `profile`, seeded by `seed`.
    public init(
        stations: Int, profile: ImpairmentProfile = ImpairmentProfile(), seed: UInt64, frameCapacity: Int = 1514,
        poolFrames: Int = 1024
    ) {
        precondition(stations >= 2, "a network joins at least two stations")
        self.stations = stations
        self.frameCapacity = frameCapacity
        self.seed = seed
        let root = SeededRandom(seed: seed)
        models = (0..<stations * stations).map { path in
            ImpairmentModel(profile: profile, seed: root.derivedSeed(UInt64(path)))
        }
        inFlight = TimedReleaseQueue(capacity: poolFrames)
        let none = InFlightFrame(slot: 0, station: 0)
        arrived = (0..<stations).map { _ in FixedQueue(capacity: poolFrames, filler: none) }
        pool = [UInt8](repeating: 0, count: poolFrames * frameCapacity)
        lengths = Array(repeating: 0, count: poolFrames)
        freeSlots = Array((0..<poolFrames).reversed())
        sent = Array(repeating: 0, count: stations)
    }

    /// Replaces the impairments of the path from `sender` to `receiver` (its own seed kept).
    public func setProfile(_ profile: ImpairmentProfile, from sender: Int, to receiver: Int) {
        let path = sender * stations + receiver
        models[path] = ImpairmentModel(profile: profile, seed: models[path].seed)
    }

    /// What the model of one path has decided so far.
    public func counters(from sender: Int, to receiver: Int) -> ImpairmentCounters {
        models[sender * stations + receiver].counters
    }

    /// Station `index`'s device.
    public func port(_ index: Int) -> SimulatedPort { SimulatedPort(network: self, station: index) }

    /// When the next frame in flight arrives; nil when none is.
    public var nextDelivery: Instant? { inFlight.nextRelease.map { Instant(nanoseconds: $0) } }

    /// True when no frame is in flight or waiting at a station.
    public var isIdle: Bool { inFlight.isEmpty && arrived.allSatisfy(\.isEmpty) }

    /// Moves frames whose time has come to their stations' receive queues.
    public func deliver(now: Instant) {
        while let frame = inFlight.popDue(now: now.nanoseconds) {
            if arrived[frame.station].count < arrived[frame.station].capacity {
                arrived[frame.station].push(frame)
            } else {
                overflows += 1
                freeSlots.append(frame.slot)
            }
        }
    }

    /// Sends `frame` from `sender` at `now`: to the station that last sent from its
    /// destination MAC, else to every other station, each copy judged by its path's model.
    func send(_ frame: PacketBytes, from sender: Int, now: Instant) {
        sent[sender] += 1
        guard frame.count >= EthernetPacket.headerLength, frame.count <= frameCapacity else { return }
        let destination = MACAddress(frame, at: 0)
        learned[MACAddress(frame, at: 6)] = sender
        if !destination.isMulticast, let station = learned[destination], station != sender {
            offer(frame, from: sender, to: station, now: now)
        } else {
            for station in 0..<stations where station != sender { offer(frame, from: sender, to: station, now: now) }
        }
    }

    private func offer(_ frame: PacketBytes, from sender: Int, to receiver: Int, now: Instant) {
        let verdict = models[sender * stations + receiver].judge(now: now.nanoseconds, length: frame.count)
        guard case .deliver(let at, let duplicateAt, let corruption) = verdict else { return }
        enqueue(frame, to: receiver, at: at, corruption: corruption)
        if let duplicateAt { enqueue(frame, to: receiver, at: duplicateAt, corruption: nil) }
    }

    private func enqueue(_ frame: PacketBytes, to station: Int, at time: UInt64, corruption: Corruption?) {
        guard let slot = freeSlots.popLast() else {
            overflows += 1
            return
        }
        let base = slot * frameCapacity
        pool.withUnsafeMutableBytes { buffer in
            let destination = MutablePacketBytes(unsafeBuffer: buffer).slice(base, frame.count)
            destination.copy(frame, to: 0)
            if let corruption { destination.setU8(corruption.offset, frame.u8(corruption.offset) ^ corruption.mask) }
        }
        lengths[slot] = frame.count
        if !inFlight.insert(InFlightFrame(slot: slot, station: station), releaseAt: time) {
            overflows += 1
            freeSlots.append(slot)
        }
    }

    /// Lends station `station`'s oldest arrived frame to `body`.
    func receive<Result>(at station: Int, _ body: (PacketBytes) -> Result) -> Result? {
        guard let frame = arrived[station].pop() else { return nil }
        defer { freeSlots.append(frame.slot) }
        let base = frame.slot * frameCapacity
        let length = lengths[frame.slot]
        return pool.withUnsafeBytes { buffer in body(PacketBytes(unsafeBuffer: buffer).slice(base, length)) }
    }

    /// Injects `frame` as if it had arrived at `station` now (hostile-input tests).
    public func inject(_ frame: [UInt8], to station: Int) {
        guard frame.count <= frameCapacity, let slot = freeSlots.popLast() else {
            overflows += 1
            return
        }
        pool.replaceSubrange(slot * frameCapacity..<slot * frameCapacity + frame.count, with: frame)
        lengths[slot] = frame.count
        arrived[station].push(InFlightFrame(slot: slot, station: station))
    }

    /// A scratch frame for a port to build into before `send` copies it on.
    var scratch: [UInt8] = []
}

/// One station's view of a ``SimulatedNetwork``: its device.
public struct SimulatedPort: NetworkDevice {
    let network: SimulatedNetwork
    /// The station this port is.
    public let station: Int

    public var maximumFrameLength: Int { network.frameCapacity }

    public mutating func receive(now: Instant, limit: Int, _ body: (PacketBytes) -> Void) -> Int {
        var count = 0
        while count < limit, network.receive(at: station, body) != nil { count += 1 }
        return count
    }

    public mutating func transmit(now: Instant, _ body: (MutablePacketBytes) -> Int?) -> Bool {
        if network.scratch.count < network.frameCapacity {
            network.scratch = [UInt8](repeating: 0, count: network.frameCapacity)
        }
        var scratch = network.scratch
        network.scratch = []
        defer { network.scratch = scratch }
        let length = scratch.withUnsafeMutableBytes { body(MutablePacketBytes(unsafeBuffer: $0)) }
        if let length {
            scratch.withUnsafeBytes {
                network.send(PacketBytes(unsafeBuffer: $0).prefix(length), from: station, now: now)
            }
        }
        return true
    }
}
