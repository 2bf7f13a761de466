// Specification of reading a thread's identity from /proc/PID/task/TID/status, and of the
// rule a privilege drop is checked against: every id the target, no effective capability.

import ExoPlatform
import Glibc
import Testing

@Suite struct ThreadCredentialsTests {
    /// The lines of a real status file of a thread that kept root (seen in issue 8), and of one
    /// that dropped to uid 60001.
    static let root = "Name:\tudp-echo\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t4242\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
        + "Groups:\t0 \nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\nCapEff:\t000001fffeffffff\n"
    static let dropped = "Name:\tudp-echo\nUid:\t60001\t60001\t60001\t60001\nGid:\t60001\t60001\t60001\t60001\n"
        + "CapInh:\t0000000000000000\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n"

    @Test func parsesTheIdentityLines() throws {
        let root = try #require(ThreadCredentials(status: Self.root))
        #expect(root == ThreadCredentials(uids: [0, 0, 0, 0], gids: [0, 0, 0, 0], effectiveCapabilities: 0x1ff_feff_ffff))
        let dropped = try #require(ThreadCredentials(status: Self.dropped))
        #expect(dropped.uids == [60001, 60001, 60001, 60001] && dropped.effectiveCapabilities == 0)
    }

    @Test func aThreadCountsAsDroppedOnlyWithEveryIdChangedAndNoCapability() throws {
        #expect(try #require(ThreadCredentials(status: Self.dropped)).isDropped(toUID: 60001, gid: 60001))
        #expect(!(try #require(ThreadCredentials(status: Self.root)).isDropped(toUID: 60001, gid: 60001)))
        // One saved uid left behind, a filesystem gid, or one capability is not a drop.
        let savedRoot = ThreadCredentials(uids: [60001, 60001, 0, 60001], gids: [60001, 60001, 60001, 60001], effectiveCapabilities: 0)
        let fsGroup = ThreadCredentials(uids: [60001, 60001, 60001, 60001], gids: [60001, 60001, 60001, 0], effectiveCapabilities: 0)
        let oneCapability = ThreadCredentials(uids: [60001, 60001, 60001, 60001], gids: [60001, 60001, 60001, 60001],
            effectiveCapabilities: 1 << 12)
        for credentials in [savedRoot, fsGroup, oneCapability] {
            #expect(!credentials.isDropped(toUID: 60001, gid: 60001), "\(credentials.summary)")
        }
    }

    @Test func aStatusWithoutTheLinesIsNotParsed() {
        #expect(ThreadCredentials(status: "Name:\tx\nUid:\t1\t1\t1\t1\n") == nil)
        #expect(ThreadCredentials(status: "Uid:\t1\t1\nGid:\t1\t1\t1\t1\nCapEff:\t0\n") == nil)
        #expect(ThreadCredentials(status: "") == nil)
    }

    @Test func thisProcessesThreadsAreReadable() throws {
        // The test runner is root with every thread alike: the check passes for root itself.
        try Privileges.verifyEveryThread(uid: getuid(), gid: getgid())
    }
}
