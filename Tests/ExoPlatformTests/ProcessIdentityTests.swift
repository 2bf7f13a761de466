// Specification of the start-up look-ups the daemon moved into ExoPlatform: the group
// database, what a socket path names, the /dev/null spare, and in-process socket pairs.
import ExoPlatform
import Foundation
import Glibc
import Testing

@Suite("ProcessIdentity")
struct ProcessIdentityTests {
    @Test func theRootGroupIsGIDZeroAndAnUnknownGroupIsNil() {
        #expect(ProcessIdentity.groupID(named: "root") == 0)
        #expect(ProcessIdentity.groupID(named: "no-such-group-exokernel-test") == nil)
    }

    @Test func pidAndUIDAreThisProcesss() {
        #expect(ProcessIdentity.pid == UInt32(getpid()))
        #expect(ProcessIdentity.uid == getuid())
    }

    @Test func theNullDeviceSpareIsCloseOnExec() throws {
        let spare = try #require(OwnedDescriptor.openNullDevice())
        defer { spare.close() }
        #expect(isCloseOnExec(spare.raw))
    }

    @Test func aSocketPairCarriesRecordsAndItsDaemonSideDoesNotBlock() throws {
        let (daemonSide, peerSide) = try UnixSeqpacket.pair()
        defer { daemonSide.close(); peerSide.close() }
        #expect(isCloseOnExec(daemonSide.raw) && isCloseOnExec(peerSide.raw))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64, alignment: 8)
        defer { buffer.deallocate() }
        #expect(try UnixSeqpacket.receive(daemonSide.raw, into: buffer) == nil)
        #expect(try UnixSeqpacket.send(peerSide.raw, [7, 8, 9]))
        #expect(try UnixSeqpacket.receive(daemonSide.raw, into: buffer)?.byteCount == 3)
    }
}

@Suite("SendIfRoom")
struct SendIfRoomTests {
    @Test func wholeRecordsGoUntilTheSocketIsFullThenNoneWithoutBlocking() throws {
        let (daemonSide, peerSide) = try UnixSeqpacket.pair()
        defer { daemonSide.close(); peerSide.close() }
        let record = [UInt8](repeating: 0xAB, count: 1024)
        var sent = 0
        while sent < 100_000, record.withUnsafeBytes({ UnixSeqpacket.sendIfRoom(peerSide.raw, $0) }) { sent += 1 }
        #expect(sent > 0 && sent < 100_000)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 8)
        defer { buffer.deallocate() }
        #expect(try UnixSeqpacket.receive(daemonSide.raw, into: buffer)?.byteCount == 1024)
    }

    @Test func aDuplicateOfABorrowedDescriptorIsCloseOnExecAndIndependent() throws {
        let original = try #require(OwnedDescriptor.openNullDevice())
        let copy = try OwnedDescriptor.duplicate(original.raw)
        defer { copy.close() }
        #expect(copy.raw != original.raw && isCloseOnExec(copy.raw))
        original.close()
        #expect(fcntl(copy.raw, F_GETFD) >= 0)
    }
}

@Suite("SocketFile")
struct SocketFileTests {
    @Test func aPathNamesNothingASocketOrSomethingElse() throws {
        let directory = try TemporaryDirectory()
        let socketPath = directory.file("s.sock")
        let listener = try UnixSeqpacket.listen(path: socketPath)
        defer { listener.close() }
        #expect(SocketFile.existing(at: directory.file("missing")) == .nothing)
        #expect(SocketFile.existing(at: socketPath) == .socket)
        #expect(SocketFile.existing(at: directory.path) == .other)
    }

    @Test func removeTakesASocketFileAndLeavesAnythingElse() throws {
        let directory = try TemporaryDirectory()
        let socketPath = directory.file("s.sock")
        try UnixSeqpacket.listen(path: socketPath).close()
        let plain = directory.file("plain")
        #expect(FileManager.default.createFile(atPath: plain, contents: Data([1])))
        SocketFile.remove(at: socketPath)
        SocketFile.remove(at: plain)
        #expect(SocketFile.existing(at: socketPath) == .nothing)
        #expect(SocketFile.existing(at: plain) == .other)
    }

    @Test func makeDirectoriesCreatesEveryMissingLevelAndKeepsExistingOnes() throws {
        let directory = try TemporaryDirectory()
        let deep = directory.path + "/a/b/c"
        try SocketFile.makeDirectories(deep, mode: 0o755)
        try SocketFile.makeDirectories(deep, mode: 0o755)
        #expect(SocketFile.existing(at: deep) == .other)
    }
}
