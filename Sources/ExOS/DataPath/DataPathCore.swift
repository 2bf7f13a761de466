// The tenant side of a session's four rings and its frames: every move of a frame between
// the application, the staging queues and the rings, checked against the frame table.

import ExoWire
import Glibc

/// The mutable state of one ``DataPath``, kept at a fixed address so packet slots can reach
/// it without reference counting (see ``DataPath`` for the lifetime rule). Single-threaded.
struct DataPathCore: ~Copyable {
    private var fill: RingProducer
    private var rx: RingConsumer
    private var tx: RingProducer
    private var completion: RingConsumer
    private(set) var frames = DataPathFrameTable()
    let frameSize: UInt32
    /// Frames for the fill ring, not yet published (the ring was full, or `flush` not yet run).
    private var fillStage: FixedQueue<RingDescriptor>
    /// Packets for the tx ring, not yet published.
    private var txStage: FixedQueue<RingDescriptor>
    /// Local indices of frames in the transmit pool.
    private var freePool: FixedQueue<Int>
    /// The current rx batch (copies of descriptors), `batchNext..<batchCount` not yet handed out.
    private var rxBatch: [RingDescriptor]
    private var batchNext = 0
    private var batchCount = 0
    private(set) var batchOpen = false
    private var completionScratch: [RingDescriptor]
    /// Slots and batches alive; must be 0 when the data path goes away.
    private(set) var outstanding = 0
    private(set) var counters = DataPathCounters()
    /// The tenantToDaemon eventfd (owned by ``DataPath``).
    private let kickFD: Int32

    init(rings: SessionRingsLayout, region: UnsafeMutableRawPointer, frameSize: UInt32, kickFD: Int32) {
        fill = RingProducer(memory: rings.memory(of: .fill, unsafeRegion: region))
        rx = RingConsumer(memory: rings.memory(of: .rx, unsafeRegion: region))
        tx = RingProducer(memory: rings.memory(of: .tx, unsafeRegion: region))
        completion = RingConsumer(memory: rings.memory(of: .completion, unsafeRegion: region))
        self.frameSize = frameSize
        self.kickFD = kickFD
        let empty = RingDescriptor(frame: 0, length: 0)
        fillStage = FixedQueue(capacity: 1, filler: empty)
        txStage = FixedQueue(capacity: 1, filler: empty)
        freePool = FixedQueue(capacity: 1, filler: 0)
        rxBatch = Array(repeating: empty, count: Int(rings.rx.capacity))
        completionScratch = Array(repeating: empty, count: Int(rings.completion.capacity))
    }

    // MARK: Frames joining (control plane)

    /// Adds frames (already checked: writable, right size, not present) to the table and to
    /// the fill stage or the transmit pool.
    mutating func add(_ added: [(number: FrameNumber, base: UnsafeMutableRawPointer)], home: FrameHome) {
        let place: FramePlace = home == .fill ? .fillStaged : .free
        let first = frames.add(added, home: home, place: place)
        fillStage.reserve(frames.count)
        txStage.reserve(frames.count)
        freePool.reserve(frames.count)
        for local in first..<frames.count {
            switch home {
            case .fill: fillStage.push(RingDescriptor(frame: frames.numbers[local], length: 0))
            case .transmitPool: freePool.push(local)
            }
        }
    }

    // MARK: Publishing (fill, tx) and need-wakeup kicks

    /// Publishes staged fill frames and tx packets as far as the rings have room, reclaims
    /// completions, and kicks the daemon once if either ring asked for it. Returns how many
    /// completions it reclaimed.
    @discardableResult
    mutating func flush() -> Int {
        let reclaimed = reclaimCompletions()
        var kick = false
        let filled = Self.publish(&fillStage, on: &fill, frames: &frames, from: .fillStaged, to: .fillPosted, kick: &kick)
        let sent = Self.publish(&txStage, on: &tx, frames: &frames, from: .txStaged, to: .txPosted, kick: &kick)
        counters.fillPosted &+= UInt64(filled.count)
        counters.transmitted &+= UInt64(sent.count)
        counters.transmittedBytes &+= sent.bytes
        counters.ringViolations &+= UInt64(filled.violations + sent.violations)
        if kick {
            var one: UInt64 = 1
            _ = write(kickFD, &one, 8)  // EAGAIN: the counter is saturated, the daemon is awake anyway
            counters.kicks &+= 1
        }
        return reclaimed
    }

    /// Publishes the front of `stage` on `ring` (at most two contiguous runs), moving each
    /// published frame from `from` to `to`.
    private static func publish(
        _ stage: inout FixedQueue<RingDescriptor>, on ring: inout RingProducer, frames: inout DataPathFrameTable,
        from: FramePlace, to: FramePlace, kick: inout Bool
    ) -> (count: Int, bytes: UInt64, violations: Int) {
        var total = 0
        var bytes: UInt64 = 0
        var violations = 0
        for _ in 0..<2 where !stage.isEmpty {
            let published = stage.drainFront { (run: Span<RingDescriptor>) -> Int in
                let outcome: RingPublish
                do throws(RingViolation) {
                    outcome = try ring.produce(run)
                } catch {
                    violations += 1
                    return 0
                }
                if outcome.wakeupNeeded { kick = true }
                for i in 0..<outcome.count {
                    let descriptor = run[i]
                    frames.move(frames.local(of: descriptor.frame)!, from: from, to: to)
                    bytes &+= UInt64(descriptor.length)
                }
                return outcome.count
            }
            total += published
            if published == 0 { break }
        }
        return (total, bytes, violations)
    }

    // MARK: Receiving

    /// Takes up to `limit` descriptors off rx into the batch (after a `flush`).
    mutating func openBatch(max limit: Int) {
        precondition(!batchOpen, "DataPath.receive while the previous ReceivedBatch is still alive")
        flush()
        var taken = 0
        do throws(RingViolation) {
            taken = try Self.take(from: &rx, into: &rxBatch, max: limit)
        } catch {
            counters.ringViolations &+= 1
        }
        batchNext = 0
        batchCount = taken
        batchOpen = true
        outstanding += 1
    }

    /// The next checked packet of the open batch as (local index, length), or nil at its end.
    /// Descriptors the daemon could not honestly have written are counted and skipped.
    mutating func nextReceived() -> (local: Int, length: Int)? {
        while batchNext < batchCount {
            let descriptor = rxBatch[batchNext]
            batchNext += 1
            guard let local = frames.local(of: descriptor.frame), frames.place(local) == .fillPosted else {
                counters.rxForeignFrames &+= 1
                continue
            }
            guard descriptor.length <= frameSize, descriptor.flags == 0 else {
                counters.rxBadDescriptors &+= 1
                frames.move(local, from: .fillPosted, to: .fillStaged)
                fillStage.push(RingDescriptor(frame: descriptor.frame, length: 0))
                continue
            }
            frames.move(local, from: .fillPosted, to: .received)
            counters.received &+= 1
            counters.receivedBytes &+= UInt64(descriptor.length)
            outstanding += 1
            return (local, Int(descriptor.length))
        }
        return nil
    }

    /// Ends the open batch; packets not taken go back to fill (counted as abandoned).
    mutating func closeBatch() {
        while let packet = nextReceived() {
            counters.abandoned &+= 1
            recycle(packet.local)
        }
        batchOpen = false
        outstanding -= 1
    }

    /// A received frame goes back to the fill stage.
    mutating func recycle(_ local: Int) {
        frames.move(local, from: .received, to: .fillStaged)
        fillStage.push(RingDescriptor(frame: frames.numbers[local], length: 0))
        outstanding -= 1
    }

    /// A received frame becomes a transmit slot (its bytes stay); it returns to fill after completion.
    mutating func reuseForTransmit(_ local: Int) {
        frames.move(local, from: .received, to: .transmitting)
    }

    // MARK: Transmitting

    /// A frame from the transmit pool (reclaiming completions if the pool is empty), or nil.
    mutating func takeTransmit() -> Int? {
        if freePool.isEmpty { reclaimCompletions() }
        guard let local = freePool.pop() else { return nil }
        frames.move(local, from: .free, to: .transmitting)
        outstanding += 1
        return local
    }

    /// Stages the frame's first `length` bytes for the tx ring.
    mutating func send(_ local: Int, length: Int) {
        precondition(length >= 0 && length <= Int(frameSize), "TransmitSlot.send length outside the frame")
        frames.move(local, from: .transmitting, to: .txStaged)
        txStage.push(RingDescriptor(frame: frames.numbers[local], length: UInt32(length)))
        outstanding -= 1
    }

    /// A transmit slot dropped unsent: its frame goes home.
    mutating func abandonTransmit(_ local: Int) {
        goHome(local, from: .transmitting)
        outstanding -= 1
    }

    /// Takes every available completion and sends each frame home; returns how many.
    @discardableResult
    mutating func reclaimCompletions() -> Int {
        var taken = 0
        do throws(RingViolation) {
            taken = try Self.take(from: &completion, into: &completionScratch, max: .max)
        } catch {
            counters.ringViolations &+= 1
        }
        for i in 0..<taken {
            let frame = completionScratch[i].frame
            guard let local = frames.local(of: frame), frames.place(local) == .txPosted else {
                counters.completionForeignFrames &+= 1
                continue
            }
            counters.completed &+= 1
            goHome(local, from: .txPosted)
        }
        return taken
    }

    private mutating func goHome(_ local: Int, from place: FramePlace) {
        switch frames.home(local) {
        case .fill:
            frames.move(local, from: place, to: .fillStaged)
            fillStage.push(RingDescriptor(frame: frames.numbers[local], length: 0))
        case .transmitPool:
            frames.move(local, from: place, to: .free)
            freePool.push(local)
        }
    }

    /// Copies up to `limit` descriptors off `ring` into the front of `buffer`.
    private static func take(
        from ring: inout RingConsumer, into buffer: inout [RingDescriptor], max limit: Int
    ) throws(RingViolation) -> Int {
        var span = buffer.mutableSpan
        return try ring.consume(into: &span, max: limit)
    }

    // MARK: Waiting (the tenant is the consumer of rx and completion)

    /// True when rx or completion has entries (one acquire load each).
    mutating func hasInput() -> Bool {
        do throws(RingViolation) {
            if try rx.refreshAvailable() > 0 { return true }
            return try completion.refreshAvailable() > 0
        } catch {
            counters.ringViolations &+= 1
            return false
        }
    }

    /// Sets need-wakeup on rx and completion; true when both are still empty (sleep).
    mutating func armWakeups() -> Bool {
        do throws(RingViolation) {
            let rxEmpty = try rx.prepareToSleep()
            let completionEmpty = try completion.prepareToSleep()
            if rxEmpty && completionEmpty { counters.sleeps &+= 1 }
            return rxEmpty && completionEmpty
        } catch {
            counters.ringViolations &+= 1
            return false
        }
    }

    /// Clears need-wakeup on both (the tenant is awake).
    mutating func disarmWakeups() {
        rx.clearWakeupRequest()
        completion.clearWakeupRequest()
    }
}
