// Specification of the frame requests as a tenant makes them, through the dispatcher against
// a real arbiter and real memfd backing: allocate, map, grant, list offers, redeem, unref,
// and the refusals that change nothing.

import ExoCore
import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("FrameRequests")
struct FrameRequestsTests {
    let parts: DaemonParts
    let alice: ControlSession
    let bob: ControlSession

    init() throws {
        parts = try DaemonParts(frameQuota: 4)
        alice = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        bob = try parts.attachTenant("bob", uid: DaemonParts.bobUID)
    }

    func allocate(_ frames: [FrameNumber], by session: ControlSession) throws -> [HoldingInfo] {
        let reply = parts.dispatch(.allocate(frames: frames), from: session).reply
        guard case .allocated(let holdings) = reply else { throw Unexpected.reply(reply) }
        return holdings
    }

    enum Unexpected: Error { case reply(Reply) }

    @Test func allocateGivesTheFramesAskedForWithEveryRight() throws {
        let holdings = try allocate([2, 5], by: alice)
        #expect(holdings.map(\.frame) == [2, 5])
        #expect(holdings.allSatisfy { $0.rights == .owner })
        #expect(parts.plane.arbiter.usage(of: 0).framesHeld == 2)
    }

    @Test func mapSendsOneWritableFrameSizedDescriptorPerFrame() throws {
        _ = try allocate([2, 5], by: alice)
        let response = parts.dispatch(.map(frames: [2, 5]), from: alice)
        guard case .mapped(let holdings) = response.reply else { throw Unexpected.reply(response.reply) }
        #expect(holdings.map(\.frame) == [2, 5])
        #expect(response.descriptors.count == 2)
        for descriptor in response.descriptors {
            let memory = try MappedMemory.map(descriptor.raw, length: 4096, writable: true)
            memory.unmap()
            descriptor.close()
        }
    }

    @Test func grantOffersTheFrameToTheAudienceWhoRedeemsItWithTheGrantedRights() throws {
        _ = try allocate([3], by: alice)
        let granted = parts.dispatch(.grant(frame: 3, rights: .read, audience: "bob"), from: alice)
        guard case .granted(let token, _) = granted.reply else { throw Unexpected.reply(granted.reply) }
        // Bob's sessions are owed an offersChanged notice.
        #expect(granted.offersChanged == [1])

        let offers = parts.dispatch(.offers(Page()), from: bob).reply
        guard case .offers(let page) = offers else { throw Unexpected.reply(offers) }
        #expect(page.entries.map(\.frame) == [3])
        #expect(page.entries.first?.fromTenant == "alice")

        let redeemed = parts.dispatch(.redeem(token: token), from: bob).reply
        guard case .redeemed(let holding) = redeemed else { throw Unexpected.reply(redeemed) }
        #expect(holding.frame == 3 && holding.rights == .read)
    }

    @Test func aGrantToAnUnknownTenantIsUnknownTenantAndIssuesNothing() throws {
        _ = try allocate([3], by: alice)
        let reply = parts.dispatch(.grant(frame: 3, rights: .read, audience: "mallory"), from: alice).reply
        #expect(errorCode(reply) == .unknownTenant)
        #expect(parts.plane.arbiter.outstandingTokenCount == 0)
    }

    @Test func unrefDropsTheHoldingAndAFrameNobodyHoldsIsFreeAgain() throws {
        _ = try allocate([3], by: alice)
        let reply = parts.dispatch(.unref(frames: [3]), from: alice).reply
        #expect(reply == .unreffed(count: 1))
        #expect(parts.plane.arbiter.usage(of: 0).framesHeld == 0)
        #expect(parts.plane.arbiter.freeFrameCount == 16)
        #expect(parts.plane.backing.liveBackings == 0)
    }

    @Test func unrefOfTheLastHolderRevokesItsOffersAndTellsTheAudience() throws {
        _ = try allocate([3], by: alice)
        _ = parts.dispatch(.grant(frame: 3, rights: .read, audience: "bob"), from: alice)
        let response = parts.dispatch(.unref(frames: [3]), from: alice)
        #expect(response.offersChanged == [1])
        #expect(parts.plane.arbiter.offerCount(to: 1) == 0)
    }

    @Test func allocatingPastTheQuotaIsOverQuotaChangesNothingAndIsCounted() throws {
        _ = try allocate([0, 1, 2, 3], by: alice)
        let reply = parts.dispatch(.allocate(frames: [4]), from: alice).reply
        #expect(errorCode(reply) == .overQuota)
        #expect(parts.plane.arbiter.usage(of: 0).framesHeld == 4)
        let frames = parts.accounting.usage(of: 0).first { $0.resource == TenantResource.frames.name }
        #expect(frames?.refused == 1)
    }

    @Test func aFrameAnotherTenantHoldsCannotBeMappedOrUnreffed() throws {
        _ = try allocate([3], by: alice)
        #expect(errorCode(parts.dispatch(.map(frames: [3]), from: bob).reply) != nil)
        #expect(errorCode(parts.dispatch(.unref(frames: [3]), from: bob).reply) != nil)
        #expect(parts.plane.arbiter.usage(of: 0).framesHeld == 1)
    }

    @Test func closingASessionFreesItsFrames() throws {
        _ = try allocate([3, 4], by: alice)
        guard case .tenant(_, let arbiterSession) = alice.role else { throw Unexpected.reply(.pong) }
        #expect(parts.plane.closeSession(arbiterSession, tenant: 0) == [])
        #expect(parts.plane.arbiter.freeFrameCount == 16)
    }
}
