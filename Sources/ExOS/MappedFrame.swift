// A frame mapped into this process: the mapping made from the descriptor the daemon sent.
// It owns the mapping (unmapped on deinit or unmap()); the descriptor is closed right after mmap.

import ExoPlatform
import ExoWire
import Synchronization

/// One mapped frame. Writable and shared when the holding has `.write`, else read-only shared.
///
/// Ownership: the object owns the mapping; pointers handed to the `withUnsafe…` bodies are
/// valid only during the call. `unmap()` must not race with a running `withUnsafe…` body
/// (call it when no other task is using the frame); releasing the last reference is always safe.
/// Unmapping does not end the holding: the frame stays held until ``ExoSession/unref(_:)``.
public final class MappedFrame: Sendable {
    /// The holding this mapping was made for.
    public let holding: HoldingInfo
    /// Bytes mapped: the daemon's frame size.
    public let length: Int
    private let memory: MappedMemory
    /// Set while a ``DataPath`` uses the frame: `unmap()` is then refused.
    private let pinned = Atomic<Bool>(false)

    /// The frame mapped.
    public var frame: FrameNumber { holding.frame }
    /// What the holding may do with it (a read-only holding is mapped read-only).
    public var rights: Rights { holding.rights }
    /// True when `withUnsafeMutableBytes` gives access.
    public var isWritable: Bool { holding.rights.contains(.write) }

    /// Maps `descriptor` (consumed: closed before this returns, whether mapping worked or not).
    init(holding: HoldingInfo, descriptor: OwnedDescriptor, length: Int) throws(ExOSError) {
        defer { descriptor.close() }
        do {
            memory = try MappedMemory.map(
                descriptor.raw, length: length, writable: holding.rights.contains(.write), shared: true)
        } catch {
            throw .mapFailed(frame: holding.frame, error)
        }
        self.holding = holding
        self.length = length
    }

    /// Calls `body` with the frame's bytes (valid only during the call).
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try memory.withUnsafeBytes(body)
    }

    /// Calls `body` with the frame's bytes for writing and returns its result, or returns nil
    /// without calling `body` when the holding is read-only (the mapping is PROT_READ, so a
    /// write would fault). The pointer is valid only during the call.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R? {
        guard isWritable else { return nil }
        return try memory.withUnsafeMutableBytes(body)
    }

    /// Unmaps now instead of at deinit. Idempotent. Does nothing while a ``DataPath`` uses the
    /// frame (`isInDataPath`): the data path unmaps nothing, and its packets point into it.
    public func unmap() {
        guard !pinned.load(ordering: .acquiring) else { return }
        memory.unmap()
    }

    /// True while a ``DataPath`` has adopted this frame.
    public var isInDataPath: Bool { pinned.load(ordering: .acquiring) }

    /// Marks the frame as used by a data path and returns its writable base address, or nil
    /// when it is read-only, unmapped or already pinned. The address stays valid until
    /// `unpin()` and the last reference to this object is gone (the data path keeps one).
    func pinForDataPath() -> UnsafeMutableRawPointer? {
        guard isWritable, pinned.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return nil }
        guard let base = memory.withUnsafeMutableBytes({ $0.baseAddress }), memory.length == length else {
            unpin()
            return nil
        }
        return base
    }

    /// Ends a data path's use (it is gone): `unmap()` works again.
    func unpin() {
        pinned.store(false, ordering: .releasing)
    }
}
