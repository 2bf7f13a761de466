// Specification of the control dispatcher: every request kind has one row saying who may
// make it, the role check answers exactly as docs/PROTOCOL.md §4 says (a tenant asking an
// operator query gets `notOperator`, an operator asking a tenant request `notAttached`, a
// session before its hello `notAttached`), and a refused request reaches nothing behind it.

import ExoCore
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("ControlDispatcher")
struct ControlDispatcherTests {
    @Test func everyRequestKindHasExactlyOneRowAndOnlyRequestKindsHaveOne() {
        for kind in requestKinds {
            #expect(ControlDispatcher.permissions[kind] != nil, "no row for \(kind)")
        }
        for kind in ControlDispatcher.permissions.keys {
            #expect(kind.family == .request, "\(kind) is not a request")
        }
    }

    @Test func everyRequestKindHasASample() {
        for kind in requestKinds {
            #expect(sampleRequest(kind)?.kind == kind, "the tests have no \(kind) request")
        }
    }

    @Test func onlyTheHelloIsAHandshakeAndOnlyPingAndRevokeGrantAreOpenToBothRoles() {
        let handshake = requestKinds.filter { ControlDispatcher.permissions[$0] == .handshake }
        let attached = requestKinds.filter { ControlDispatcher.permissions[$0] == .attached }
        #expect(handshake == [.hello])
        #expect(Set(attached) == [.ping, .revokeGrant])
    }

    @Test func operatorKindsAreTheOperatorRangeOfTheKindTable() {
        // docs/PROTOCOL.md numbers operator requests 0x0180 and up: the table agrees.
        for kind in requestKinds where kind != .ping && kind != .hello {
            let isOperatorCode = kind.rawValue >= 0x0180
            #expect((ControlDispatcher.permissions[kind] == .operator) == isOperatorCode, "\(kind)")
        }
    }

    @Test func aTenantAskingAnOperatorQueryIsRefusedNotOperatorAndKeepsItsSession() throws {
        let parts = try DaemonParts()
        let alice = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        for kind in requestKinds where ControlDispatcher.permissions[kind] == .operator {
            let response = parts.dispatch(try #require(sampleRequest(kind)), from: alice)
            #expect(errorCode(response.reply) == .notOperator, "\(kind)")
            #expect(!response.closesSession, "\(kind)")
        }
        #expect(parts.host.captureRequests.isEmpty)
    }

    @Test func anOperatorAskingATenantRequestIsRefusedNotAttachedAndKeepsItsSession() throws {
        let parts = try DaemonParts()
        let op = try parts.attachOperator()
        for kind in requestKinds where ControlDispatcher.permissions[kind] == .tenant {
            let response = parts.dispatch(try #require(sampleRequest(kind)), from: op)
            #expect(errorCode(response.reply) == .notAttached, "\(kind)")
            #expect(!response.closesSession, "\(kind)")
        }
        #expect(parts.plane.arbiter.holdingCount == 0)
        #expect(parts.host.openedPaths.isEmpty)
    }

    @Test func beforeItsHelloASessionIsRefusedNotAttachedForEveryOtherKind() throws {
        let parts = try DaemonParts()
        let peer = try parts.connect(uid: DaemonParts.aliceUID)
        for kind in requestKinds where kind != .hello {
            let response = parts.dispatch(try #require(sampleRequest(kind)), from: peer)
            guard case .error(let error, let detail) = response.reply else {
                Issue.record("\(kind) answered before the hello")
                continue
            }
            #expect(error == .notAttached && detail == "send hello first", "\(kind)")
        }
        #expect(peer.role == .awaitingHello(deadlineNanoseconds: .max))
    }

    @Test func everyKindAskedByItsAllowedRoleReachesAHandler() throws {
        let parts = try DaemonParts()
        let alice = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        let op = try parts.attachOperator()
        for kind in requestKinds where kind != .hello {
            let request = try #require(sampleRequest(kind))
            let callers = ControlDispatcher.permissions[kind] == .operator ? [op]
                : ControlDispatcher.permissions[kind] == .tenant ? [alice] : [alice, op]
            for caller in callers {
                let reply = parts.dispatch(request, from: caller).reply
                if case .error(let error, let detail) = reply {
                    // The request's own refusal (no such frame, no NIC...), never the router's.
                    #expect(detail != ControlDispatcher.noHandlerDetail, "\(kind)")
                    #expect(error != .notAttached && error != .notOperator, "\(kind)")
                }
            }
        }
        #expect(parts.host.captureRequests == [sampleRequest(.capture)])
        #expect(parts.host.reloadRequests == 1)
    }

    @Test func pingIsAnsweredForBothRoles() throws {
        let parts = try DaemonParts()
        let alice = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        let op = try parts.attachOperator()
        #expect(parts.dispatch(.ping, from: alice).reply == .pong)
        #expect(parts.dispatch(.ping, from: op).reply == .pong)
    }

    @Test func aSecondHelloIsAlreadyAttachedAndChangesNothing() throws {
        let parts = try DaemonParts()
        let alice = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        let role = alice.role
        let response = parts.dispatch(.hello(Hello(role: .operator, tenantName: "")), from: alice)
        #expect(errorCode(response.reply) == .alreadyAttached)
        #expect(!response.closesSession)
        #expect(alice.role == role)
    }

    @Test func aRefusedHelloClosesTheSessionAndAttachesNothing() throws {
        let parts = try DaemonParts()
        let stranger = try parts.connect(uid: 4242)
        let response = parts.dispatch(.hello(Hello(role: .tenant, tenantName: "alice")), from: stranger)
        #expect(response.reply == .error(.notPermitted, detail: Handshake.tenantRefusalDetail))
        #expect(response.closesSession)
        #expect(!parts.sessions.hasSessions(0))
    }

    @Test func aRecordOfAnotherVersionIsUnsupportedVersionAndClosesTheSession() throws {
        let parts = try DaemonParts()
        let alice = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        let response = parts.dispatcher.dispatch(.ping, version: alice.version &+ 1, from: alice)
        #expect(errorCode(response.reply) == .unsupportedVersion)
        #expect(response.closesSession)
    }

    @Test func theHelloOfATenantOverItsSessionLimitIsSessionLimitAndCounted() throws {
        var limits = TenantLimits.defaults
        limits.sessions = 1
        let parts = try DaemonParts(limits: limits)
        _ = try parts.attachTenant("alice", uid: DaemonParts.aliceUID)
        let second = try parts.connect(uid: DaemonParts.aliceUID)
        let response = parts.dispatch(.hello(Hello(role: .tenant, tenantName: "alice")), from: second)
        #expect(errorCode(response.reply) == .sessionLimit)
        #expect(response.closesSession)
        let sessions = parts.accounting.usage(of: 0).first { $0.resource == TenantResource.sessions.name }
        #expect(sessions?.refused == 1)
    }
}
