// A frame mapped into this process: the mapping made from the descriptor the daemon sent.
// It owns the mapping (unmapped on deinit or unmap()); the descriptor is closed right after mmap.

import ExoPlatform
import ExoWire

/// One mapped frame. Writable and shared when the holding has `.write`, else read-only shared.
///
/// Ownership: the object owns the mapping; pointers handed to the `withUnsafe…` bodies are
/// valid only during the call. `unmap()` must not race with a running `withUnsafe…` body
/// (call it when no other task is using the frame); releasing the last reference is always safe.
/// Unmapping does not end the holding: the frame stays held until `ExoSession.unref`.
public final class MappedFrame: Sendable {
    /// The holding this mapping was made for.
    public let holding: HoldingInfo
    /// Bytes mapped: the daemon's frame size.
    public let length: Int
    private let memory: MappedMemory

    public var frame: FrameNumber { holding.frame }
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

    /// Unmaps now instead of at deinit. Idempotent.
    public func unmap() {
        memory.unmap()
    }
}
