// Offers addressed to this tenant: the daemon keeps them and says when they changed (one
// coalesced `offersChanged` event); the library OS lists them and redeems what it wants.

import ExoClient
import ExoWire

extension ExoSession {
    /// Every outstanding offer addressed to this tenant, by ascending token id (all pages).
    /// Listing also tells the daemon the last `offersChanged` event was read: the next change
    /// sends another.
    public func offers() async throws(ExOSError) -> [OfferInfo] {
        try await PageCollector.collect { (page: Page) async throws(ExOSError) -> ListingPage<OfferInfo> in
            try await channel.call(ControlCalls.offers(page))
        }
    }
}
