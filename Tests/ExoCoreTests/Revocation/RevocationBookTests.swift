// Specification of the pending-revocation book: one count revocation per tenant, tightened by
// later requests; grant revocations by holding; each revocation leaves the book exactly once,
// settled when complied with or due at its deadline.
import ExoCore
import ExoWire
import Testing

@Suite struct RevocationBookTests {
    @Test func aCountRevocationIsSettledOnceTheTenantHoldsAtMostItsTarget() {
        var book = RevocationBook()
        let revocation = book.requestCount(tenant: 1, reason: .operatorRequest, target: 10, deadline: 500)
        #expect(revocation.id == 1 && revocation.target == 10 && !revocation.isGrant)
        #expect(book.settle(tenant: 1, held: 11, isLive: { _ in true }).isEmpty)
        #expect(book.settle(tenant: 2, held: 0, isLive: { _ in true }).isEmpty)
        #expect(book.settle(tenant: 1, held: 10, isLive: { _ in true }) == [revocation])
        #expect(book.count == 0 && book.nextDeadline == nil)
    }

    @Test func aSecondRequestTightensThePendingOneAndKeepsItsId() {
        var book = RevocationBook()
        let first = book.requestCount(tenant: 1, reason: .poolLow, target: 10, deadline: 500)
        let second = book.requestCount(tenant: 1, reason: .operatorRequest, target: 12, deadline: 300)
        #expect(second.id == first.id)
        #expect(second.target == 10 && second.deadline == 300)
        let third = book.requestCount(tenant: 1, reason: .operatorRequest, target: 4, deadline: 900)
        #expect(third.target == 4 && third.deadline == 300)
        #expect(book.count == 1 && book.countRevocation(of: 1) == third)
        // Another tenant's is its own.
        let other = book.requestCount(tenant: 2, reason: .poolLow, target: 0, deadline: 100)
        #expect(other.id == 2 && book.count == 2 && book.nextDeadline == 100)
    }

    @Test func aGrantRevocationIsSettledWhenNoneOfItsHoldingsIsLive() {
        var book = RevocationBook()
        let revocation = book.requestHoldings(tenant: 3, holdings: [40, 41], deadline: 1000)
        #expect(revocation.isGrant && revocation.reason == .grantRevoked)
        // Holding a count of zero frames says nothing about the named holdings.
        #expect(book.settle(tenant: 3, held: 0, isLive: { $0 == 41 }).isEmpty)
        #expect(book.settle(tenant: 3, held: 5, isLive: { _ in false }) == [revocation])
    }

    @Test func revocationsPastTheirDeadlineAreDueOnceOldestFirst() {
        var book = RevocationBook()
        let a = book.requestCount(tenant: 1, reason: .poolLow, target: 0, deadline: 200)
        let b = book.requestHoldings(tenant: 2, holdings: [7], deadline: 100)
        let c = book.requestCount(tenant: 3, reason: .poolLow, target: 0, deadline: 900)
        #expect(book.due(now: 99).isEmpty)
        #expect(book.due(now: 200) == [a, b])
        #expect(book.due(now: 200).isEmpty)
        #expect(book.nextDeadline == 900)
        // A settled revocation is never due.
        #expect(book.settle(tenant: 3, held: 0, isLive: { _ in true }) == [c])
        #expect(book.due(now: 10_000).isEmpty)
    }

    @Test func aGoneTenantsRevocationsAreForgotten() {
        var book = RevocationBook()
        _ = book.requestCount(tenant: 1, reason: .poolLow, target: 0, deadline: 200)
        _ = book.requestHoldings(tenant: 1, holdings: [7], deadline: 100)
        let kept = book.requestHoldings(tenant: 2, holdings: [8], deadline: 100)
        book.forget(tenant: 1)
        #expect(book.count == 1 && book.revocations(of: 1).isEmpty && book.countRevocation(of: 1) == nil)
        #expect(book.due(now: 1000) == [kept])
        // A new count revocation for the forgotten tenant gets a new id.
        #expect(book.requestCount(tenant: 1, reason: .poolLow, target: 0, deadline: 5).id == 4)
    }

    /// Random requests, settlements and deadlines: every revocation leaves the book exactly
    /// once, a tenant never has two count revocations, and ids never repeat.
    @Test(arguments: 0..<20) func everyRevocationLeavesExactlyOnce(seed: UInt64) {
        var random = SplitMix64(state: seed)
        var book = RevocationBook()
        var issued: Set<RevocationID> = []
        var left: [RevocationID] = []
        var now: UInt64 = 0
        for _ in 0..<400 {
            let tenant = TenantID(random.next() % 4)
            switch random.next() % 4 {
            case 0:
                let revocation = book.requestCount(
                    tenant: tenant, reason: .poolLow, target: UInt32(random.next() % 20), deadline: now + random.next() % 50)
                issued.insert(revocation.id)
            case 1:
                let revocation = book.requestHoldings(
                    tenant: tenant, holdings: [HoldingID(random.next() % 8)], deadline: now + random.next() % 50)
                #expect(!issued.contains(revocation.id))
                issued.insert(revocation.id)
            case 2:
                let live = random.next() % 8
                left += book.settle(tenant: tenant, held: UInt32(random.next() % 25), isLive: { $0 < live }).map(\.id)
            default:
                now += random.next() % 20
                left += book.due(now: now).map(\.id)
            }
            for t in 0..<4 {
                #expect(book.revocations(of: TenantID(t)).filter { !$0.isGrant }.count <= 1)
            }
        }
        left += book.due(now: .max).map(\.id)
        #expect(left.count == Set(left).count)
        #expect(Set(left) == issued)
    }
}
