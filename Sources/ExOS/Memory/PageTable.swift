// The library OS's own record of its pages: which frame each page maps, the protection the
// application asked for, whether the page is dirty, and whether ExOS has made writes to it
// trap. Pure: it decides which runs of pages need a hardware change; PageManager makes them.

import ExoWire

/// One page of a ``FrameRegion``, as ExOS records it.
public struct PageEntry: Sendable, Equatable {
    /// The daemon's frame mapped at this page.
    public let frame: FrameNumber
    /// The application's protection: true when it may write the page.
    public internal(set) var writable: Bool
    /// True when a write may have reached the page since it was last cleaned. Pages start dirty
    /// (nothing is known about them); with dirty tracking, only a write fault makes a clean page dirty.
    public internal(set) var dirty: Bool
    /// True when ExOS has made writes to the page trap (the hardware state it set).
    public internal(set) var trapsWrites: Bool
}

/// What a write fault on a page means, decided from the record alone.
public enum WriteFaultKind: Sendable, Equatable {
    /// The application protected the page: its handler decides. The page is now recorded dirty,
    /// since the faulting write lands as soon as the page is made writable.
    case protection
    /// A clean page the application may write: the first write since cleaning. ExOS records it
    /// dirty and lets the write through without involving the application.
    case firstWrite
    /// ExOS does not make this page trap (a fault already resolved, reported late): retry.
    case stale
}

/// Every page of one region. Invariant after each call: for every page,
/// `trapsWrites == wantsTrap(entry)` once the hardware changes that call reported are made.
public struct PageTable: Sendable {
    /// One entry per page of the region, in page order.
    public private(set) var entries: [PageEntry]
    /// When true, clean pages trap writes so ExOS sees the first write and can answer "dirty?"
    /// from this record; when false, only the application's protection traps.
    public let tracksDirty: Bool

    /// Pages mapping `frames` in order, all writable, dirty and not trapping.
    public init(frames: [FrameNumber], tracksDirty: Bool) {
        entries = frames.map { PageEntry(frame: $0, writable: true, dirty: true, trapsWrites: false) }
        self.tracksDirty = tracksDirty
    }

    /// Pages in the table.
    public var count: Int { entries.count }

    /// The entry of `page` (0..<count).
    public subscript(page: Int) -> PageEntry { entries[page] }

    /// Whether writes to a page in this state must trap.
    public func wantsTrap(_ entry: PageEntry) -> Bool {
        !entry.writable || (tracksDirty && !entry.dirty)
    }

    /// Sets the application's protection of `pages`. `apply(run, trap)` is called once per
    /// maximal run of adjacent pages whose hardware state must change, in address order; the
    /// record of a run changes only after `apply` returned for it, so if `apply` throws, the
    /// record still matches what the hardware was told.
    public mutating func setWritable<E: Error>(
        _ pages: Range<Int>, _ writable: Bool, apply: (Range<Int>, Bool) throws(E) -> Void
    ) throws(E) {
        try update(pages, apply: apply) { $0.writable = writable }
    }

    /// Marks `pages` clean (needs `tracksDirty`): their next write traps. Same contract as `setWritable`.
    public mutating func clean<E: Error>(_ pages: Range<Int>, apply: (Range<Int>, Bool) throws(E) -> Void) throws(E) {
        precondition(tracksDirty, "clean(_:) needs a table that tracks dirty pages")
        try update(pages, apply: apply) { $0.dirty = false }
    }

    /// Records a write fault on `page` and says what it is. For `.firstWrite` the record is
    /// already updated (dirty, not trapping): the caller must lift the hardware trap.
    public mutating func recordWriteFault(on page: Int) -> WriteFaultKind {
        guard entries[page].trapsWrites else { return .stale }
        entries[page].dirty = true
        if entries[page].writable {
            entries[page].trapsWrites = false
            return .firstWrite
        }
        return .protection
    }

    /// Applies `change` to each page of `pages`, grouping the pages whose trap state flips into
    /// runs with one target state each.
    private mutating func update<E: Error>(
        _ pages: Range<Int>, apply: (Range<Int>, Bool) throws(E) -> Void, change: (inout PageEntry) -> Void
    ) throws(E) {
        precondition(pages.lowerBound >= 0 && pages.upperBound <= entries.count, "pages \(pages) outside 0..<\(entries.count)")
        var runStart = pages.lowerBound
        var runTarget: Bool? = nil  // the target of the open run, nil when none is open
        var page = pages.lowerBound
        while page <= pages.upperBound {
            var target: Bool? = nil
            if page < pages.upperBound {
                var next = entries[page]
                change(&next)
                let trap = wantsTrap(next)
                if trap != entries[page].trapsWrites { target = trap } else { entries[page] = next }
            }
            if let open = runTarget, target != open {
                // Close the open run: tell the hardware, then record it.
                let run = runStart..<page
                try apply(run, open)
                for p in run {
                    change(&entries[p])
                    entries[p].trapsWrites = open
                }
                runTarget = nil
            }
            if let target, runTarget == nil {
                runStart = page
                runTarget = target
            }
            page += 1
        }
    }
}
