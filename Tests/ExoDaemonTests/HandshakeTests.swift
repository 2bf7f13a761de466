// Specification of the hello's decision: who may attach as what, and that a refused tenant
// hello tells the peer nothing about which tenant names exist.

import ExoWire
import Testing

@testable import ExoDaemon

@Suite("Handshake")
struct HandshakeTests {
    static let config = DaemonConfig(
        maxConnections: 10, maxConnectionsPerUID: 10, frameCount: 100,
        tenants: [TenantConfig(name: "alice", uids: [1000], frameQuota: 50)])

    static func decide(_ name: String, uid: UInt32, role: PeerRole = .tenant) -> HandshakeDecision {
        let hello = Hello(minVersion: 1, maxVersion: 1, features: FeatureBits(), role: role, tenantName: name)
        return Handshake.decide(hello, config: config, roster: TenantRoster(starting: config.tenants), peer: (uid, uid), daemonUID: 0, operatorGID: nil,
            peerGroups: { [] })
    }

    @Test func aConfiguredUIDAttachesAsItsTenant() {
        #expect(Self.decide("alice", uid: 1000) == .tenant(0, version: 1))
    }

    @Test func unknownAndForbiddenNamesAreRefusedAlikeToThePeer() {
        let unknown = Self.decide("nosuchtenant", uid: 2000)
        let forbidden = Self.decide("alice", uid: 2000)
        let root = Self.decide("alice", uid: 0)  // allow_root_tenants is off
        for decision in [unknown, forbidden, root] {
            guard case .refuse(let error, _) = decision else {
                Issue.record("not refused: \(decision)")
                continue
            }
            #expect(error == .notPermitted)
            #expect(decision.peerDetail == Handshake.tenantRefusalDetail)
        }
        // The log still says which it was.
        guard case .refuse(_, let unknownReason) = unknown, case .refuse(_, let forbiddenReason) = forbidden else { return }
        #expect(unknownReason != forbiddenReason)
    }

    @Test func otherRefusalsTellThePeerWhy() {
        let operatorRefusal = Self.decide("", uid: 2000, role: .operator)
        guard case .refuse(.notOperator, let reason) = operatorRefusal else {
            Issue.record("got \(operatorRefusal)")
            return
        }
        #expect(operatorRefusal.peerDetail == reason)
    }
}
