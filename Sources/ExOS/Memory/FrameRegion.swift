// Frames held from the daemon, mapped side by side into one contiguous range of pages, as
// Aegis's library OS laid physical pages into its own address space. Each frame is its own
// memfd, so each page is its own mapping (MAP_FIXED into one reservation): see PLATFORM.md.

import ExoPlatform
import ExoWire

/// A contiguous range of pages; page `i` maps `holdings[i].frame`. Owns the mappings (they go
/// with the reservation when this object is released); the holdings stay the session's until
/// ``ExoSession/unref(_:)``.
public final class FrameRegion: Sendable {
    /// The holdings mapped, in page order.
    public let holdings: [HoldingInfo]
    /// The pages. Stores through it may fault once a ``PageManager`` protects them.
    public let pages: AddressReservation

    init(holdings: [HoldingInfo], pages: AddressReservation) {
        self.holdings = holdings
        self.pages = pages
    }

    /// The frames mapped, in page order.
    public var frames: [FrameNumber] { holdings.map(\.frame) }
    /// Pages in the region: one per frame.
    public var pageCount: Int { pages.pageCount }
    /// Bytes per page: the daemon's frame size.
    public var pageSize: Int { pages.pageSize }
}

extension ExoSession {
    /// Maps held frames into one contiguous range, in the order given (page `i` is `frames[i]`),
    /// asking the daemon in batches of `WireLimits.maxBatch`. Every frame must be writable (page
    /// protection is the library OS's to manage) and the frame size must be the page size.
    public func mapContiguous(_ frames: [FrameNumber]) async throws(ExOSError) -> FrameRegion {
        guard !frames.isEmpty else { throw .invalidRequest("no frames to map") }
        let pages: AddressReservation
        do {
            pages = try AddressReservation(pages: frames.count)
        } catch {
            throw .mapFailed(frame: frames[0], error)
        }
        guard Int(info.frameSize) == pages.pageSize else {
            throw .invalidRequest("frame size \(info.frameSize) is not the page size \(pages.pageSize)")
        }
        var holdings: [HoldingInfo] = []
        holdings.reserveCapacity(frames.count)
        var start = 0
        while start < frames.count {
            let batch = Array(frames[start..<min(start + WireLimits.maxBatch, frames.count)])
            let (answered, descriptors) = try await channel.callWithDescriptors(ControlCalls.map(batch))
            guard answered.count == descriptors.count, answered.map(\.frame) == batch else {
                throw .protocolViolation("map reply names \(answered.map(\.frame)) with \(descriptors.count) descriptors, asked for \(batch)")
            }
            for (offset, (holding, descriptor)) in zip(answered, descriptors).enumerated() {
                guard holding.rights.contains(.write) else {
                    throw .invalidRequest("frame \(holding.frame) is not writable: a region needs write rights")
                }
                do {
                    try pages.mapShared(descriptor.raw, atPage: start + offset, writable: true)
                } catch {
                    throw .mapFailed(frame: holding.frame, error)
                }
                descriptor.close()
            }
            holdings.append(contentsOf: answered)
            start += batch.count
        }
        return FrameRegion(holdings: holdings, pages: pages)
    }
}
