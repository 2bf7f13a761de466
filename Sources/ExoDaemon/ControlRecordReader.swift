// Reading one control record off a session's socket and taking it apart: the record's size
// and descriptors (RecordAdmission), its header, its strict decoding (ExoWire), and the
// rule that no request carries descriptors. What comes out is a request for the dispatcher,
// or the refusal the peer is owed (docs/PROTOCOL.md §1, the decoding order).

import ExoPlatform
import ExoWire

/// What one read of a session's socket produced.
enum RecordRead {
    /// Nothing waits (the socket would block).
    case nothing
    /// The connection is over (end of stream, or a receive error).
    case ended(reason: String)
    /// A record that is not performed: answer `error` under `requestID`.
    case refuse(ExoError, requestID: UInt32, detail: String)
    /// A decoded request, in a record of protocol `version`.
    case request(requestID: UInt32, version: UInt16, Request)
}

/// The loop's one receive buffer (a record plus one byte, to see truncation). One thread.
final class ControlRecordReader {
    /// The reason of a session whose peer closed its end: the orderly end of every session.
    static let peerClosed = "peer closed the connection"
    private let buffer: UnsafeMutableRawBufferPointer

    init() {
        buffer = .allocate(byteCount: WireLimits.maxMessageSize + 1, alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Reads and takes apart one record of `socket`. Descriptors that came with a refused
    /// record are closed here.
    func read(_ socket: Int32) -> RecordRead {
        let record: ReceivedRecord?
        do {
            record = try UnixSeqpacket.receive(socket, into: buffer)
        } catch {
            return .ended(reason: "receive failed: \(error)")
        }
        guard let record else { return .nothing }  // would block
        if record.isEndOfStream { return .ended(reason: Self.peerClosed) }
        let outcome = takeApart(record)
        if case .refuse = outcome { for d in record.descriptors { d.close() } }
        return outcome
    }

    private func takeApart(_ record: ReceivedRecord) -> RecordRead {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[..<min(record.byteCount, buffer.count)])
        let admission = RecordAdmission.check(bytes, byteCount: record.byteCount, truncated: record.truncated,
            controlTruncated: record.controlTruncated)
        if case .refuse(let error, let requestID, let detail) = admission {
            return .refuse(error, requestID: requestID, detail: detail)
        }
        let header: MessageHeader
        do {
            header = try MessageCodec.peekHeader(bytes)
        } catch {
            return .refuse(error.exoError, requestID: 0, detail: "\(error)")
        }
        let message: Message
        do {
            message = try MessageCodec.decode(bytes)
        } catch {
            // The header was readable: answer under the peer's request id. Framing and version
            // errors close the session; an unknown kind or an over-limit batch does not.
            return .refuse(error.exoError, requestID: header.requestID, detail: "\(error)")
        }
        // No request of this protocol carries descriptors: close any that came along.
        if !record.descriptors.isEmpty {
            return .refuse(.unexpectedDescriptors, requestID: header.requestID,
                detail: "\(record.descriptors.count) descriptors closed")
        }
        guard case .request(let requestID, let request) = message else {
            return .refuse(.unknownRequest, requestID: header.requestID, detail: "peers send requests only")
        }
        return .request(requestID: requestID, version: header.version, request)
    }
}
