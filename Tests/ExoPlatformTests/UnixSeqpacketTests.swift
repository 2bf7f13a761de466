// Specification of the control socket: listen/connect/accept on a real path, records that
// keep their boundaries, descriptors passed as owned CLOEXEC fds, truncation, EOF, liveness.
import ExoPlatform
import Foundation
import Glibc
import Testing

@Suite struct UnixSeqpacketTests {
    @Test func listenerSocketFileGetsTheRequestedMode() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s")
        let listener = try UnixSeqpacket.listen(path: path, mode: 0o600)
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(isCloseOnExec(listener.raw))
        #expect(fcntl(listener.raw, F_GETFL) & O_NONBLOCK != 0)
    }

    @Test func pathLongerThan107BytesIsRefusedWithENAMETOOLONG() throws {
        let path = "/tmp/" + String(repeating: "x", count: 103)  // 108 bytes
        #expect(throws: SystemError(operation: "bind", errno: ENAMETOOLONG)) {
            try UnixSeqpacket.listen(path: path)
        }
    }

    @Test func listeningOnAnExistingPathFailsWithEADDRINUSE() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s")
        _ = try UnixSeqpacket.listen(path: path)
        #expect(throws: SystemError(operation: "bind", errno: EADDRINUSE)) { try UnixSeqpacket.listen(path: path) }
    }

    @Test func acceptReturnsNilWhenNoConnectionIsPendingAndACloexecNonBlockingSocketOtherwise() throws {
        let pair = try ConnectedPair()
        #expect(try UnixSeqpacket.accept(pair.listener.raw) == nil)
        #expect(isCloseOnExec(pair.server.raw))
        #expect(fcntl(pair.server.raw, F_GETFL) & O_NONBLOCK != 0)
        #expect(isCloseOnExec(pair.client.raw))
        #expect(fcntl(pair.client.raw, F_GETFL) & O_NONBLOCK == 0)  // the client blocks
    }

    @Test func connectingToAMissingPathThrowsENOENT() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: SystemError(operation: "connect", errno: ENOENT)) {
            try UnixSeqpacket.connect(path: directory.file("absent"))
        }
    }

    @Test func twoSendsArriveAsTwoRecordsWithTheirBoundaries() throws {
        let pair = try ConnectedPair()
        #expect(try UnixSeqpacket.send(pair.client.raw, [1, 2, 3]))
        #expect(try UnixSeqpacket.send(pair.client.raw, [4, 5]))
        var buffer = [UInt8](repeating: 0, count: 64)
        let first = try buffer.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) }
        #expect(first?.byteCount == 3)
        #expect(buffer[0..<3] == [1, 2, 3])
        let second = try buffer.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) }
        #expect(second?.byteCount == 2)
        #expect(buffer[0..<2] == [4, 5])
        #expect(second?.descriptors.isEmpty == true)
        #expect(second?.isEndOfStream == false)
        let third = try buffer.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) }
        #expect(third == nil)  // nothing waiting: EAGAIN
    }

    @Test func aRecordLongerThanTheBufferIsReportedTruncated() throws {
        let pair = try ConnectedPair()
        #expect(try UnixSeqpacket.send(pair.client.raw, Array(0..<100)))
        #expect(try UnixSeqpacket.send(pair.client.raw, [7]))
        var small = [UInt8](repeating: 0, count: 10)
        let record = try small.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) }
        #expect(record?.truncated == true)
        #expect(record?.byteCount == 10)
        #expect(small == Array(0..<10))
        // The rest of the long record is gone; the next record is intact.
        let next = try small.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) }
        #expect(next?.truncated == false)
        #expect(next?.byteCount == 1 && small[0] == 7)
    }

    @Test func oneDescriptorArrivesAsAnOwnedCloexecDuplicateOfTheSameFile() throws {
        let pair = try ConnectedPair()
        let pipe = try Pipe()
        #expect(try UnixSeqpacket.send(pair.client.raw, [42], descriptors: [pipe.writeEnd.raw]))
        var buffer = [UInt8](repeating: 0, count: 8)
        let record = try #require(try buffer.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) })
        #expect(record.byteCount == 1 && buffer[0] == 42)
        try #require(record.descriptors.count == 1)
        let received = record.descriptors[0].raw
        #expect(received != pipe.writeEnd.raw)
        #expect(isCloseOnExec(received))
        #expect(fileIdentity(received)! == fileIdentity(pipe.writeEnd.raw)!)
        var byte: UInt8 = 9
        #expect(write(received, &byte, 1) == 1)  // writes through the received fd reach the pipe
        #expect(pipe.readResult() == 1)
    }

    @Test func twoHundredFiftyThreeDescriptorsArriveInOneRecordAndAreClosedWithIt() throws {
        let pair = try ConnectedPair()
        let pipe = try Pipe()
        let copies = [Int32](repeating: pipe.writeEnd.raw, count: UnixSeqpacket.maximumDescriptorsPerRecord)
        #expect(copies.count == 253)
        #expect(try UnixSeqpacket.send(pair.client.raw, [1], descriptors: copies))
        var buffer = [UInt8](repeating: 0, count: 8)
        var record = try #require(try buffer.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) })
        #expect(record.descriptors.count == 253)
        #expect(record.controlTruncated == false)
        #expect(Set(record.descriptors.map(\.raw)).count == 253)
        #expect(record.descriptors.allSatisfy { isCloseOnExec($0.raw) })
        pipe.writeEnd.close()
        #expect(pipe.readResult() == -1)  // writers remain: the 253 received copies
        record.descriptors.removeAll()  // dropping the owners closes every copy
        #expect(pipe.readResult() == 0)  // end of file: no writer is left open anywhere
    }

    @Test func moreThan253DescriptorsAreRefusedWithEINVAL() throws {
        let pair = try ConnectedPair()
        let copies = [Int32](repeating: pair.client.raw, count: 254)
        #expect(throws: SystemError(operation: "sendmsg", errno: EINVAL)) {
            try UnixSeqpacket.send(pair.client.raw, [1], descriptors: copies)
        }
    }

    @Test func aFullNonBlockingSocketReportsFalseInsteadOfBlocking() throws {
        let pair = try ConnectedPair()
        let record = [UInt8](repeating: 0xAB, count: 4096)
        var accepted = 0
        while try UnixSeqpacket.send(pair.server.raw, record) {
            accepted += 1
            try #require(accepted < 100_000, "the socket buffer never filled")
        }
        #expect(accepted > 0)
    }

    @Test func closingThePeerReadsAsEndOfStreamAndSendingThenFailsWithEPIPE() throws {
        let pair = try ConnectedPair()
        pair.client.close()
        var buffer = [UInt8](repeating: 0, count: 8)
        let record = try buffer.withUnsafeMutableBytes { try UnixSeqpacket.receive(pair.server.raw, into: $0) }
        #expect(record?.isEndOfStream == true)
        #expect(throws: SystemError(operation: "sendmsg", errno: EPIPE)) { try UnixSeqpacket.send(pair.server.raw, [1]) }
    }

    @Test func isLiveIsTrueForAListenerAndFalseForAStaleOrMissingPath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s")
        #expect(UnixSeqpacket.isLive(path: path) == false)
        let listener = try UnixSeqpacket.listen(path: path)
        #expect(UnixSeqpacket.isLive(path: path))
        listener.close()
        #expect(FileManager.default.fileExists(atPath: path))  // the socket file stays behind
        #expect(UnixSeqpacket.isLive(path: path) == false)
    }

    @Test func isLiveIsTrueEvenWhenTheBacklogIsFull() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s")
        let listener = try UnixSeqpacket.listen(path: path, backlog: 1)
        var clients: [OwnedDescriptor] = []
        var refusedForFullBacklog = 0
        // Fill the backlog with non-blocking connects (a blocking one would wait here).
        for _ in 0..<4 {
            let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue | SOCK_NONBLOCK.rawValue), 0)
            clients.append(OwnedDescriptor(adopting: fd))
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if result == -1 && errno == EAGAIN { refusedForFullBacklog += 1 }
        }
        try #require(refusedForFullBacklog > 0)
        #expect(UnixSeqpacket.isLive(path: path))
        withExtendedLifetime(listener) {}
    }
}
