// Specification of capability tokens as hostile input: every bit flip, every splice, another
// audience, another run or key, a stale or spent token — each refused, nothing changed.
import Crypto
import ExoCore
import ExoWire
import Testing

@Suite struct TokenTests {
    /// Alice holds frames 1 and 2 and has granted each to bob (frame 1 read-only, frame 2 rw).
    struct Scene {
        let arbiter = Fixture.arbiter()
        let alice: SessionID
        let bob: SessionID
        let readToken: IssuedToken
        let writeToken: IssuedToken

        init() throws {
            alice = arbiter.openSession(tenant: Fixture.alice)
            bob = arbiter.openSession(tenant: Fixture.bob)
            _ = try arbiter.allocate(session: alice, frames: [1, 2])
            readToken = try arbiter.grant(session: alice, frame: 1, rights: .read, audience: Fixture.bob)
            writeToken = try arbiter.grant(session: alice, frame: 2, rights: [.read, .write], audience: Fixture.bob)
        }
    }

    @Test func everySingleBitFlipOfAValidTokenIsRefusedAsInvalid() throws {
        let scene = try Scene()
        let bytes = scene.readToken.bytes
        for bit in 0..<(bytes.count * 8) {
            var forged = bytes
            forged[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: forged) } == .invalidToken, "bit \(bit)")
        }
        #expect(scene.arbiter.holdings(of: scene.bob).isEmpty)
        #expect(try scene.arbiter.redeem(session: scene.bob, token: bytes).frame == 1)
    }

    @Test func splicingTwoValidTokensAtAnyCutIsRefused() throws {
        let scene = try Scene()
        let (one, two) = (scene.readToken.bytes, scene.writeToken.bytes)
        for cut in 1..<one.count where one[cut...] != two[cut...] && one[..<cut] != two[..<cut] {
            let spliced = Array(one[..<cut] + two[cut...])
            #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: spliced) } == .invalidToken, "cut \(cut)")
            let reversed = Array(two[..<cut] + one[cut...])
            #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: reversed) } == .invalidToken, "cut \(cut)")
        }
        #expect(scene.arbiter.outstandingTokenCount == 2)
    }

    @Test func truncatedExtendedAndEmptyTokensAreInvalid() throws {
        let scene = try Scene()
        let bytes = scene.readToken.bytes
        for candidate in [[], Array(bytes.dropLast()), bytes + [0], Array(bytes.prefix(42))] {
            #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: candidate) } == .invalidToken)
        }
    }

    @Test func changingTheRightsByteToWidenIsCaughtByTheMAC() throws {
        let scene = try Scene()
        var widened = scene.readToken.bytes
        widened[37] = Rights.owner.rawValue  // the rights field
        #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: widened) } == .invalidToken)
    }

    @Test func onlyTheAudienceMayRedeem() throws {
        let scene = try Scene()
        let carol = scene.arbiter.openSession(tenant: Fixture.carol)
        let alice2 = scene.arbiter.openSession(tenant: Fixture.alice)
        #expect(refusal { try scene.arbiter.redeem(session: carol, token: scene.readToken.bytes) } == .notAudience)
        #expect(refusal { try scene.arbiter.redeem(session: alice2, token: scene.readToken.bytes) } == .notAudience)
        #expect(scene.arbiter.outstandingTokenCount == 2)
    }

    @Test func aTokenIsSingleUse() throws {
        let scene = try Scene()
        let bob2 = scene.arbiter.openSession(tenant: Fixture.bob)
        _ = try scene.arbiter.redeem(session: scene.bob, token: scene.readToken.bytes)
        #expect(refusal { try scene.arbiter.redeem(session: bob2, token: scene.readToken.bytes) } == .tokenRevoked)
        // Even after the redeemer lets go, the spent token stays spent.
        _ = try scene.arbiter.unref(session: scene.bob, frames: [1])
        #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: scene.readToken.bytes) } == .tokenRevoked)
    }

    @Test func endingTheIssuerHoldingRevokesItsUnredeemedTokens() throws {
        let scene = try Scene()
        let released = try scene.arbiter.unref(session: scene.alice, frames: [1])
        #expect(released == Released(freedFrames: [1], revokedTokens: [scene.readToken.info]))
        #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: scene.readToken.bytes) } == .tokenRevoked)
        #expect(try scene.arbiter.redeem(session: scene.bob, token: scene.writeToken.bytes).frame == 2)
    }

    @Test func aStaleTokenStaysDeadWhenTheFrameIsAllocatedAgainBySameSession() throws {
        let scene = try Scene()
        _ = try scene.arbiter.unref(session: scene.alice, frames: [1])
        let again = try scene.arbiter.allocate(session: scene.alice, frames: [1])[0]
        #expect(again.epoch == 2)
        #expect(refusal { try scene.arbiter.redeem(session: scene.bob, token: scene.readToken.bytes) } == .tokenRevoked)
    }

    @Test func revocationReachesOnlyTokensDerivedFromTheEndedHolding() throws {
        let scene = try Scene()
        let bobs = try scene.arbiter.redeem(session: scene.bob, token: scene.writeToken.bytes)
        #expect(bobs.rights == [.read, .write])
        let alice2 = scene.arbiter.openSession(tenant: Fixture.alice)
        let own = try scene.arbiter.grant(session: scene.alice, frame: 2, rights: .read, audience: Fixture.alice)
        _ = try scene.arbiter.unref(session: scene.alice, frames: [2])
        #expect(refusal { try scene.arbiter.redeem(session: alice2, token: own.bytes) } == .tokenRevoked)
        #expect(try scene.arbiter.authorizeMap(session: scene.bob, frames: [2]) == [bobs])
        #expect(try scene.arbiter.redeem(session: scene.bob, token: scene.readToken.bytes).frame == 1)
    }

    @Test func aTokenFromAnotherRunIsInvalidWhetherKeyOrRunIDDiffers() throws {
        let scene = try Scene()
        let sameKeyNewRun = Fixture.arbiter(runID: Fixture.runID + 1)
        let newKeySameRun = Fixture.arbiter(key: SymmetricKey(size: .bits256))
        for next in [sameKeyNewRun, newKeySameRun] {
            let alice = next.openSession(tenant: Fixture.alice)
            let bob = next.openSession(tenant: Fixture.bob)
            // Recreate the same state so only the run differs: same holding ids, frames, token ids.
            _ = try next.allocate(session: alice, frames: [1, 2])
            let fresh = try next.grant(session: alice, frame: 1, rights: .read, audience: Fixture.bob)
            #expect(fresh.info == scene.readToken.info)
            #expect(refusal { try next.redeem(session: bob, token: scene.readToken.bytes) } == .invalidToken)
            #expect(try next.redeem(session: bob, token: fresh.bytes).frame == 1)
        }
    }

    @Test func tokenIDsAreNeverReused() throws {
        let scene = try Scene()
        var seen: Set<UInt64> = [scene.readToken.info.tokenID, scene.writeToken.info.tokenID]
        for _ in 0..<20 {
            let token = try scene.arbiter.grant(session: scene.alice, frame: 1, rights: .read, audience: Fixture.carol)
            #expect(seen.insert(token.info.tokenID).inserted)
            _ = try scene.arbiter.unref(session: scene.alice, frames: [1])
            _ = try scene.arbiter.allocate(session: scene.alice, frames: [1])
        }
    }

    @Test func theLayoutHasTheDocumentedLengthAndCarriesTheRunID() throws {
        let scene = try Scene()
        #expect(CapabilityToken.byteCount == 74)
        let bytes = scene.readToken.bytes
        #expect(bytes[0] == CapabilityToken.formatVersion)
        let runID = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[1 + $1]) << (8 * UInt64($1)) }
        #expect(runID == Fixture.runID)
        #expect(bytes[37] == Rights.read.rawValue)
    }
}
