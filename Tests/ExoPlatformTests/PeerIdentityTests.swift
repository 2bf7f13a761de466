// Specification of peer identification: the kernel's record of who connected (pid, uid,
// gid and supplementary groups), read from either end of a real connection.
import ExoPlatform
import Glibc
import Testing

@Suite struct PeerIdentityTests {
    @Test func credentialsOfTheConnectingPeerAreThisProcess() throws {
        let pair = try ConnectedPair()
        let expected = PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid())
        #expect(try PeerIdentity.credentials(of: pair.server.raw) == expected)
        #expect(try PeerIdentity.credentials(of: pair.client.raw) == expected)
    }

    @Test func groupsOfThePeerAreThisProcessSupplementaryGroups() throws {
        let pair = try ConnectedPair()
        let count = getgroups(0, nil)
        var mine = [gid_t](repeating: 0, count: Int(count))
        #expect(getgroups(count, &mine) == count)
        #expect(try PeerIdentity.groups(of: pair.server.raw).sorted() == mine.sorted())
    }

    @Test func credentialsOfANonSocketFailWithENOTSOCK() throws {
        let pipe = try Pipe()
        #expect(throws: SystemError(operation: "getsockopt(SO_PEERCRED)", errno: ENOTSOCK)) {
            try PeerIdentity.credentials(of: pipe.readEnd.raw)
        }
    }
}
