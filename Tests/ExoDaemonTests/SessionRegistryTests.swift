// Specification of admission and the session registry: the daemon-wide and per-uid
// connection limits, connection ids that are never reused, and a tenant that "has
// sessions" exactly while one of its attached sessions is registered.

import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("SessionRegistry")
struct SessionRegistryTests {
    @Test func aUIDAtItsConnectionLimitIsRefusedWhileAnotherUIDIsAdmitted() throws {
        let parts = try DaemonParts(maxConnections: 10, perUID: 2)
        _ = try parts.connect(uid: 1000)
        _ = try parts.connect(uid: 1000)
        #expect(parts.sessions.admissionRefusal(uid: 1000)
            == "uid 1000 has too many connections (daemon.max_connections_per_uid)")
        #expect(parts.sessions.admissionRefusal(uid: 1001) == nil)
    }

    @Test func theDaemonAtItsConnectionLimitRefusesEveryUID() throws {
        let parts = try DaemonParts(maxConnections: 3, perUID: 3)
        for uid: UInt32 in [1, 2, 3] { _ = try parts.connect(uid: uid) }
        #expect(parts.sessions.admissionRefusal(uid: 4) == "daemon has 3 connections (daemon.max_connections)")
    }

    @Test func anEndedConnectionFreesItsSlot() throws {
        let parts = try DaemonParts(maxConnections: 10, perUID: 1)
        let first = try parts.connect(uid: 1000)
        #expect(parts.sessions.admissionRefusal(uid: 1000) != nil)
        #expect(parts.sessions.remove(first.connectionID) === first)
        #expect(parts.sessions.admissionRefusal(uid: 1000) == nil)
        #expect(parts.sessions.connections(ofUID: 1000) == 0)
        #expect(parts.sessions.remove(first.connectionID) == nil)
    }

    @Test func connectionIDsAreNeverReused() throws {
        let parts = try DaemonParts()
        let first = try parts.connect(uid: 1000)
        _ = parts.sessions.remove(first.connectionID)
        let second = try parts.connect(uid: 1000)
        #expect(second.connectionID > first.connectionID)
        #expect(first.connectionID >= Reactor.firstConnectionID)
    }

    @Test func aTenantHasSessionsUntilItsLastAttachedSessionEnds() throws {
        let parts = try DaemonParts()
        let one = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        let two = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        #expect(Set(parts.sessions.sessions(of: 0).map(\.connectionID)) == [one.connectionID, two.connectionID])
        _ = parts.sessions.remove(one.connectionID)
        #expect(parts.sessions.hasSessions(0))
        _ = parts.sessions.remove(two.connectionID)
        #expect(!parts.sessions.hasSessions(0))
        #expect(parts.sessions.count == 0)
    }

    @Test func aSessionNotYetAttachedBelongsToNoTenant() throws {
        let parts = try DaemonParts()
        _ = try parts.connect(uid: DaemonParts.aliceUID)
        #expect(!parts.sessions.hasSessions(0))
        #expect(parts.sessions.count == 1)
    }
}
