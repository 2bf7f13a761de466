// One control record per call: sendmsg/recvmsg with descriptors passed as SCM_RIGHTS.
// Received descriptors are owned at once, so a record that is dropped leaks nothing.
import CExoShims
import Glibc

/// One record taken off a SEQPACKET socket.
public struct ReceivedRecord: Sendable {
    /// Bytes copied into the caller's buffer (at most its size).
    public var byteCount: Int
    /// Descriptors that came with the record, now owned by the receiver (CLOEXEC).
    public var descriptors: [OwnedDescriptor]
    /// MSG_TRUNC: the record was longer than the buffer; the rest is discarded.
    public var truncated: Bool
    /// MSG_CTRUNC: some ancillary data (descriptors) did not fit and was discarded.
    public var controlTruncated: Bool
    /// The peer closed: zero bytes and no descriptors. (A zero-byte record without
    /// descriptors reads the same, so the protocol never sends one.)
    public var isEndOfStream: Bool

    public init(byteCount: Int, descriptors: [OwnedDescriptor], truncated: Bool, controlTruncated: Bool) {
        self.byteCount = byteCount
        self.descriptors = descriptors
        self.truncated = truncated
        self.controlTruncated = controlTruncated
        self.isEndOfStream = byteCount == 0 && descriptors.isEmpty && !truncated && !controlTruncated
    }
}

extension UnixSeqpacket {
    /// Most descriptors one record can carry (the kernel's SCM_MAX_FD).
    public static let maximumDescriptorsPerRecord = Int(CEXO_SCM_MAX_FD)

    /// Sends `bytes` as one record with `descriptors` (at most 253, else EINVAL) attached as
    /// SCM_RIGHTS, with MSG_NOSIGNAL (a closed peer is EPIPE, not a signal). The descriptors
    /// stay owned by the caller: the receiver gets duplicates. On a non-blocking socket
    /// (the daemon's), returns false when the buffer is full (EAGAIN): nothing was sent; on
    /// a blocking one (the client's), waits for room and returns true.
    /// `bytes` is only read during the call.
    public static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, descriptors: [Int32]) throws(SystemError) -> Bool {
        guard descriptors.count <= maximumDescriptorsPerRecord else {
            throw SystemError(operation: "sendmsg", errno: EINVAL)
        }
        let sent = try descriptors.withUnsafeBufferPointer { fds throws(SystemError) in
            try Syscall.retryingUnlessWouldBlock("sendmsg") {
                cexo_send_record(fd, bytes.baseAddress, bytes.count, fds.baseAddress, Int32(fds.count))
            }
        }
        return sent != nil
    }

    /// Sends `bytes` as one record; see `send(_:_:descriptors:)` for the rules.
    public static func send(_ fd: Int32, _ bytes: [UInt8], descriptors: [Int32] = []) throws(SystemError) -> Bool {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(SystemError) in try send(fd, raw, descriptors: descriptors) }
        }.get()
    }

    /// Receives one record into `buffer`, with MSG_CMSG_CLOEXEC and room for 253 descriptors.
    /// On a non-blocking socket returns nil when no record is waiting (EAGAIN); on a blocking
    /// one waits for a record. `buffer` is written during the call only.
    /// Descriptors that arrived are returned owned, even when the record is truncated.
    /// `byteCount` 0 with no descriptors means the peer closed (`isEndOfStream`).
    public static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> ReceivedRecord? {
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: maximumDescriptorsPerRecord) {
            fds throws(SystemError) -> ReceivedRecord? in
            var count: Int32 = 0
            var flags: Int32 = 0
            // recvmsg fails only when it received nothing, so no descriptor arrives with an error.
            guard
                let received = try Syscall.retryingUnlessWouldBlock("recvmsg", {
                    cexo_receive_record(fd, buffer.baseAddress, buffer.count, fds.baseAddress, &count, &flags)
                })
            else { return nil }
            let owned = (0..<Int(count)).map { OwnedDescriptor(adopting: fds[$0]) }
            return ReceivedRecord(
                byteCount: received, descriptors: owned,
                truncated: flags & cexo_msg_trunc() != 0,
                controlTruncated: flags & cexo_msg_ctrunc() != 0)
        }
    }
}

extension UnixSeqpacket {
    /// Sends `bytes` as one record if the socket has room now (MSG_DONTWAIT|MSG_NOSIGNAL),
    /// without descriptors and without allocating (the capture path calls it per packet).
    /// Returns whether the whole record went; a full socket, a closed peer or any other
    /// failure is false (the caller counts a loss; the loop notices a dead peer by its hangup).
    public static func sendIfRoom(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let sent = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
        return sent == bytes.count
    }
}
