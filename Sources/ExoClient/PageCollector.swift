// The cursor loop behind every paged operator listing: fetch pages until the daemon says
// there is no next cursor, refusing a daemon whose cursor does not move forward.

import ExoWire

/// Collects every entry of a paged listing.
public enum PageCollector {
    /// Entries asked for per page: the protocol's largest page.
    public static let defaultLimit = UInt16(WireLimits.maxPageSize)

    /// Calls `fetch` with cursor 0, then with each `nextCursor`, until one is nil, and returns
    /// all entries in order. A `nextCursor` that is not greater than the cursor just asked for
    /// would loop forever: it is a `.protocolViolation`. Errors of `fetch` pass through.
    public static func collect<Entry: Equatable & Sendable>(
        limit: UInt16 = defaultLimit,
        fetch: (Page) async throws(ExoClientError) -> ListingPage<Entry>
    ) async throws(ExoClientError) -> [Entry] {
        var entries: [Entry] = []
        var cursor: UInt32 = 0
        while true {
            let page = try await fetch(Page(cursor: cursor, limit: limit))
            if page.entries.count > Int(limit) {
                throw .protocolViolation("listing page of \(page.entries.count) entries exceeds limit \(limit)")
            }
            entries.append(contentsOf: page.entries)
            guard let next = page.nextCursor else { return entries }
            guard next > cursor else {
                throw .protocolViolation("listing cursor did not advance (\(cursor) -> \(next))")
            }
            cursor = next
        }
    }
}
