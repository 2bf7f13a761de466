// The ~Copyable handles the application holds on the packet path: a received batch, one
// received packet (read-only bytes), one transmit slot (writable bytes). No reference counts.

import ExoWire

/// Packets taken off rx by one ``DataPath/receive(max:)``. Take them with `next()`; dropping the
/// batch returns the ones not taken to the fill ring. Must not outlive its ``DataPath``.
public struct ReceivedBatch: ~Copyable {
    private let core: UnsafeMutablePointer<DataPathCore>
    private let frameSize: Int

    init(core: UnsafeMutablePointer<DataPathCore>, frameSize: Int) {
        self.core = core
        self.frameSize = frameSize
    }

    /// The next packet, or nil when the batch is exhausted. Descriptors the daemon could not
    /// honestly have written are skipped (and counted in ``DataPath/counters``).
    public mutating func next() -> ReceivedPacket? {
        guard let packet = core.pointee.nextReceived() else { return nil }
        return ReceivedPacket(core: core, local: packet.local, length: packet.length, frameSize: frameSize)
    }

    deinit { core.pointee.closeBatch() }
}

/// One received packet: the first `length` bytes of a fill frame, read in place. Consumed
/// by `recycle()` (or by being dropped), which puts the frame back on the fill ring, or by
/// `reuseForTransmit()`. Must not outlive its ``DataPath``.
public struct ReceivedPacket: ~Copyable {
    private let core: UnsafeMutablePointer<DataPathCore>
    private let local: Int
    private let frameSize: Int
    /// Bytes the daemon delivered (at most the frame size; checked before delivery).
    public let length: Int

    init(core: UnsafeMutablePointer<DataPathCore>, local: Int, length: Int, frameSize: Int) {
        self.core = core
        self.local = local
        self.length = length
        self.frameSize = frameSize
    }

    /// The pool frame holding the packet.
    public var frame: FrameNumber { core.pointee.frames.numbers[local] }

    /// Calls `body` with a read-only view of the packet's bytes, valid only during the call.
    /// Zero-copy: the bytes are the frame's own (the daemon wrote them before posting).
    public func withBytes<Result, Failure: Error>(_ body: (RawSpan) throws(Failure) -> Result) throws(Failure) -> Result {
        let buffer = UnsafeRawBufferPointer(start: core.pointee.frames.bases[local], count: length)
        return try body(buffer.bytes)
    }

    /// Returns the frame to the fill ring (staged; published by the next flush).
    public consuming func recycle() {
        core.pointee.recycle(local)
        discard self
    }

    /// Turns the packet's frame into a transmit slot with the bytes in place (to answer or
    /// forward without copying). After its completion the frame returns to the fill ring.
    public consuming func reuseForTransmit() -> TransmitSlot {
        let slot = TransmitSlot(core: core, local: local, frameSize: frameSize)
        core.pointee.reuseForTransmit(local)
        discard self
        return slot
    }

    deinit { core.pointee.recycle(local) }
}

/// A frame the application may write a packet into, then `send(length:)`. Dropping it unsent
/// returns the frame to where it came from. Must not outlive its ``DataPath``.
public struct TransmitSlot: ~Copyable {
    private let core: UnsafeMutablePointer<DataPathCore>
    private let local: Int
    /// Bytes available: the frame size.
    public let capacity: Int

    init(core: UnsafeMutablePointer<DataPathCore>, local: Int, frameSize: Int) {
        self.core = core
        self.local = local
        self.capacity = frameSize
    }

    /// The pool frame behind the slot.
    public var frame: FrameNumber { core.pointee.frames.numbers[local] }

    /// Calls `body` with the whole frame writable, valid only during the call.
    public mutating func withMutableBytes<Result, Failure: Error>(
        _ body: (inout MutableRawSpan) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var span = UnsafeMutableRawBufferPointer(start: core.pointee.frames.bases[local], count: capacity).mutableBytes
        return try body(&span)
    }

    /// Calls `body` with the whole frame read-only, valid only during the call.
    public func withBytes<Result, Failure: Error>(_ body: (RawSpan) throws(Failure) -> Result) throws(Failure) -> Result {
        let buffer = UnsafeRawBufferPointer(start: core.pointee.frames.bases[local], count: capacity)
        return try body(buffer.bytes)
    }

    /// Stages the first `length` bytes (0...capacity; anything else traps) for the tx ring.
    public consuming func send(length: Int) {
        core.pointee.send(local, length: length)
        discard self
    }

    deinit { core.pointee.abandonTransmit(local) }
}
