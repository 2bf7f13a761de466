// Specification of the listing cursor loop: start at cursor 0, follow nextCursor until it
// is absent, keep entry order, and refuse a daemon whose cursor does not advance.

import ExoClient
import ExoWire
import Testing

/// A listing served from an array, `pageSize` entries per page, cursor = index of the next entry.
private struct ArrayListing {
    let entries: [UInt32]
    let pageSize: Int

    func page(_ request: Page) -> ListingPage<UInt32> {
        let start = Int(request.cursor)
        let end = min(start + min(pageSize, Int(request.limit)), entries.count)
        let next: UInt32? = end < entries.count ? UInt32(end) : nil
        return ListingPage(entries: Array(entries[start..<end]), nextCursor: next)
    }
}

@Suite struct PageCollectorTests {
    @Test func collectsEveryPageInOrder() async throws {
        let listing = ArrayListing(entries: Array(0..<1000), pageSize: 64)
        var cursors: [UInt32] = []
        let all = try await PageCollector.collect { (page: Page) async throws(ExoClientError) -> ListingPage<UInt32> in
            cursors.append(page.cursor)
            return listing.page(page)
        }
        #expect(all == Array(0..<1000))
        #expect(cursors == stride(from: 0, to: 1000, by: 64).map { UInt32($0) })
    }

    @Test func asksForTheProtocolPageLimit() async throws {
        var limits: Set<UInt16> = []
        _ = try await PageCollector.collect { (page: Page) async throws(ExoClientError) -> ListingPage<UInt32> in
            limits.insert(page.limit)
            return ArrayListing(entries: Array(0..<2000), pageSize: 10_000).page(page)
        }
        #expect(limits == [UInt16(WireLimits.maxPageSize)])
    }

    @Test func emptyListingIsOneRequest() async throws {
        var calls = 0
        let all = try await PageCollector.collect { (page: Page) async throws(ExoClientError) -> ListingPage<UInt32> in
            calls += 1
            return ListingPage(entries: [], nextCursor: nil)
        }
        #expect(all.isEmpty)
        #expect(calls == 1)
    }

    @Test func cursorThatDoesNotAdvanceIsAProtocolViolation() async {
        await #expect(throws: ExoClientError.protocolViolation("listing cursor did not advance (5 -> 5)")) {
            _ = try await PageCollector.collect { (page: Page) async throws(ExoClientError) -> ListingPage<UInt32> in
                ListingPage(entries: [page.cursor], nextCursor: page.cursor == 0 ? 5 : 5)
            }
        }
    }

    @Test func pageLargerThanAskedIsAProtocolViolation() async {
        await #expect(throws: ExoClientError.self) {
            _ = try await PageCollector.collect(limit: 2) { (page: Page) async throws(ExoClientError) -> ListingPage<UInt32> in
                ListingPage(entries: [1, 2, 3], nextCursor: nil)
            }
        }
    }

    @Test func refusalsFromAPagePassThrough() async {
        await #expect(throws: ExoClientError.refused(.notOperator, detail: "")) {
            _ = try await PageCollector.collect { (page: Page) async throws(ExoClientError) -> ListingPage<UInt32> in
                if page.cursor == 0 { return ListingPage(entries: [1], nextCursor: 1) }
                throw .refused(.notOperator, detail: "")
            }
        }
    }
}
