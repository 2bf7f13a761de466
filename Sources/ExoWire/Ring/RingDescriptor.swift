// One ring entry as a private value (never a pointer into shared memory), and the bound
// check every consumer of hostile descriptors applies before it touches a frame.

/// A ring entry: a frame and the bytes used in it. Consumers hand these out as copies read
/// once from shared memory, so a peer rewriting the slot afterwards changes nothing.
///
/// What `length` means depends on the ring: on fill it is ignored (empty frames, written
/// as 0); on rx and tx it is the packet length; on completion it echoes the tx length.
public struct RingDescriptor: Equatable, Hashable, Sendable {
    public var frame: FrameNumber
    public var length: UInt32
    /// No bit is defined in layout version 1: producers write 0, `FrameBounds` refuses others.
    public var flags: UInt32

    public init(frame: FrameNumber, length: UInt32, flags: UInt32 = 0) {
        self.frame = frame
        self.length = length
        self.flags = flags
    }
}

/// What is wrong with a descriptor, as found by `FrameBounds.check`.
public enum DescriptorFault: Error, Equatable, Sendable {
    /// The frame number is not below the pool size.
    case frameOutOfRange(FrameNumber)
    /// The length exceeds the frame size.
    case lengthTooLarge(UInt32)
    /// Flag bits that layout version 1 does not define.
    case unknownFlags(UInt32)
}

/// The pool's geometry, against which every descriptor from a peer is checked. Whether the
/// frame is the peer's to use is a separate question, answered by the frame table.
public struct FrameBounds: Equatable, Sendable {
    /// Frames in the pool: valid numbers are `0..<frameCount`.
    public var frameCount: UInt32
    /// Bytes per frame: valid lengths are `0...frameSize`.
    public var frameSize: UInt32

    public init(frameCount: UInt32, frameSize: UInt32) {
        self.frameCount = frameCount
        self.frameSize = frameSize
    }

    /// The first fault of `descriptor`, or nil when it lies within the pool.
    public func check(_ descriptor: RingDescriptor) -> DescriptorFault? {
        if descriptor.frame >= frameCount { return .frameOutOfRange(descriptor.frame) }
        if descriptor.length > frameSize { return .lengthTooLarge(descriptor.length) }
        if descriptor.flags != 0 { return .unknownFlags(descriptor.flags) }
        return nil
    }
}
