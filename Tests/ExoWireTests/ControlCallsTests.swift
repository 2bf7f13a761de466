// Specification of the typed request -> reply table: every request kind has a call, and each
// call accepts exactly one reply kind, the one the protocol pairs with it (request 0x01NN is
// answered by 0x02NN; allocateAny, like allocate, by allocated), and refuses every other reply.

import ExoPacket
import ExoWire
import Testing

@Suite struct ControlCallsTests {
    /// Checks one call against every sample reply; returns its request kind.
    @discardableResult
    func check<Answer>(_ call: ControlCall<Answer>) -> MessageKind {
        let requestKind = call.request.kind
        #expect(requestKind.family == .request)
        for reply in Fixtures.replies where reply.kind != .error {
            let answeredBy = requestKind == .allocateAny ? MessageKind.allocated.rawValue : requestKind.rawValue + 0x0100
            let pairs = reply.kind.rawValue == answeredBy
            let accepted = call.answer(reply) != nil
            // removeFilter also checks the id; the fixture's filterRemoved carries another one.
            if case .removeFilter = call.request, pairs { continue }
            #expect(accepted == pairs, "\(requestKind) call and reply \(reply.kind)")
        }
        #expect(call.answer(.error(.notPermitted, detail: "")) == nil)
        return requestKind
    }

    @Test func everyRequestKindHasACallThatAcceptsOnlyItsReply() {
        let endpoint = WireEndpoint(proto: 17, address: 0x0A00_0001, port: 7)
        let page = Page(cursor: 0, limit: 10)
        let kinds: [MessageKind] = [
            check(ControlCalls.hello(Hello(minVersion: 1, maxVersion: 1, features: [], role: .tenant, tenantName: "a"))),
            check(ControlCalls.allocate([1])), check(ControlCalls.allocateAny(count: 1)),
            check(ControlCalls.unref([1])), check(ControlCalls.map([1])),
            check(ControlCalls.grant(frame: 1, rights: .read, audience: "b")), check(ControlCalls.redeem([1])),
            check(ControlCalls.ping), check(ControlCalls.openDataPath(ringCapacity: 64)),
            check(ControlCalls.bind(endpoint)), check(ControlCalls.unbind(endpoint)),
            check(ControlCalls.installFilter(endpoint, atoms: [])), check(ControlCalls.removeFilter(5)),
            check(ControlCalls.offers(page)),
            check(ControlCalls.status), check(ControlCalls.tenants(page)),
            check(ControlCalls.frames(tenant: nil, page: page)),
            check(ControlCalls.capabilities(tenant: nil, page: page)),
            check(ControlCalls.bindings(tenant: nil, page: page)), check(ControlCalls.stats),
            check(ControlCalls.nic), check(ControlCalls.filters(tenant: nil, page: page)),
            check(ControlCalls.capture(tenant: "a", count: 0, snapLength: 100)),
            check(ControlCalls.impair(tenant: nil, direction: .both, profile: WireImpairmentProfile(), seed: 1)),
            check(ControlCalls.reload),
            check(ControlCalls.revocationDone(id: 3)),
            check(ControlCalls.revokeGrant(tokenID: 3, deadlineMillis: 50)),
            check(ControlCalls.revoke(tenant: "alice", frames: 4, deadlineMillis: 100)),
        ]
        let requestKinds = Set(MessageKind.allCases.filter { $0.family == .request })
        #expect(Set(kinds) == requestKinds)
    }

    @Test func removeFilterAcceptsOnlyTheIDItAskedFor() {
        #expect(ControlCalls.removeFilter(5).answer(.filterRemoved(filterID: 5)) != nil)
        #expect(ControlCalls.removeFilter(5).answer(.filterRemoved(filterID: 6)) == nil)
    }
}
