// The memory behind each frame: one sealed, 0600 memfd per allocated frame, created on first
// map. Once a frame's fd has left the daemon its memfd serves that allocation only.

import ExoPlatform
import ExoWire

/// Backing memfds indexed by frame number.
///
/// Invariants (PLATFORM.md, "Limits that shape the frame pool"):
/// - a memfd is sealed (shrink, grow, seal) and `fchmod`ed 0600 before any fd of it leaves the
///   daemon, so a read-only holder can neither map it writable nor reopen it writable;
/// - the daemon can never take back an fd or a mapping it sent, so when a frame becomes free its
///   memfd is closed here and the next allocation of that frame gets a fresh, zeroed one.
final class FrameBackingStore {
    private var backing: [OwnedDescriptor?]
    /// The daemon's own read-write mappings of frames it moved packets through, kept until
    /// the frame is freed (the data path writes only frames in flight from a writable holder).
    private var mappings: [FrameNumber: MappedMemory] = [:]
    /// Base addresses of `mappings`, by frame number; valid while the mapping lives.
    private var mappedBases: [UnsafeMutableRawPointer?]
    let frameSize: Int

    init(frameCount: UInt32, frameSize: UInt32) {
        backing = Array(repeating: nil, count: Int(frameCount))
        mappedBases = Array(repeating: nil, count: Int(frameCount))
        self.frameSize = Int(frameSize)
    }

    /// Number of frames that currently have a memfd (each costs the daemon one fd).
    private(set) var liveBackings = 0

    /// An fd to send to a holder of `frame` with `rights`. The returned descriptor is owned by the
    /// caller, who closes it once it has been sent: for a writable holding it is a `dup` of the
    /// frame's memfd, for a read-only one a read-only reopening.
    func descriptorToSend(frame: FrameNumber, rights: Rights) throws(SystemError) -> OwnedDescriptor {
        let memfd = try backingDescriptor(frame)
        // The copy is close-on-exec from birth (it lives until sendmsg).
        if rights.contains(.write) { return try memfd.duplicate() }
        return try FrameMemory.reopenReadOnly(memfd.raw)
    }

    /// The daemon's shared read-write mapping of `frame` (`frameSize` bytes), created on first
    /// use. The pointer stays valid until `release(frame:)`, which only a freed frame gets; the
    /// caller must only write frames in flight from a session holding them writable.
    func mapping(frame: FrameNumber) throws(SystemError) -> UnsafeMutableRawPointer {
        // The packet path asks once per packet: an array load, no hashing and no retain.
        if let base = mappedBases[Int(frame)] { return base }
        let mapped = try MappedMemory.map(try backingDescriptor(frame).raw, length: frameSize, writable: true)
        mappings[frame] = mapped
        let base = mapped.withUnsafeMutableBytes { $0.baseAddress! }
        mappedBases[Int(frame)] = base
        return base
    }

    /// Forgets the memfd of a frame that became free. Holders that still map it keep their
    /// (now private) pages; nobody else will ever be given this memfd again.
    func release(frame: FrameNumber) {
        let index = Int(frame)
        if index < mappedBases.count { mappedBases[index] = nil }
        mappings.removeValue(forKey: frame)?.unmap()
        guard index < backing.count, let memfd = backing[index] else { return }
        memfd.close()
        backing[index] = nil
        liveBackings -= 1
    }

    /// Forgets the memfd of a frame the abort protocol took from its holder, after punching
    /// out its pages: the old holder's mappings read zeros from then on, and what it writes
    /// there faults fresh pages into a memfd nobody else is ever given (charged to its own
    /// memory, not the pool's).
    func wipe(frame: FrameNumber) {
        let index = Int(frame)
        if index < backing.count, let memfd = backing[index] {
            do {
                try FrameMemory.punch(memfd.raw, size: frameSize)
            } catch {
                // Still safe: the memfd is forgotten below, so the next holder gets a fresh one.
                Log.warning("cannot punch out frame \(frame): \(error)")
            }
        }
        release(frame: frame)
    }

    /// Moves a frame's memory into a fresh memfd, content copied, and punches out the old one:
    /// whoever maps the frame from now on reaches only the new memory; mappings made before
    /// reach only the old, which reads zeros and is shared with nobody who maps again. The
    /// daemon's own mapping switches at once. A frame never mapped has no memory: nothing to do.
    func move(frame: FrameNumber) throws(SystemError) {
        let index = Int(frame)
        guard index < backing.count, let old = backing[index] else { return }
        let fresh = try FrameMemory.createSealed(name: "exokernel-frame-\(frame)", size: frameSize)
        let target: MappedMemory
        do {
            target = try MappedMemory.map(fresh.raw, length: frameSize, writable: true)
        } catch {
            fresh.close()
            throw error
        }
        let base = target.withUnsafeMutableBytes { $0.baseAddress! }
        if let source = try? mapping(frame: frame) { base.copyMemory(from: source, byteCount: frameSize) }
        mappings.removeValue(forKey: frame)?.unmap()
        mappings[frame] = target
        mappedBases[index] = base
        do { try FrameMemory.punch(old.raw, size: frameSize) } catch {
            Log.warning("cannot punch out the old memory of frame \(frame): \(error)")
        }
        old.close()
        backing[index] = fresh
    }

    private func backingDescriptor(_ frame: FrameNumber) throws(SystemError) -> OwnedDescriptor {
        let index = Int(frame)
        if let existing = backing[index] { return existing }
        let memfd = try FrameMemory.createSealed(name: "exokernel-frame-\(frame)", size: frameSize)
        backing[index] = memfd
        liveBackings += 1
        return memfd
    }
}
