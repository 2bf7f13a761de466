// Reading control records: framing checks (truncation, stray descriptors, decoding), then
// the decoded request goes to the ControlDispatcher and its reply back to the peer.

import ExoCore
import ExoPlatform
import ExoWire

extension Daemon {
    /// Reads and handles one record of `session`. Returns false when nothing more waits: its
    /// socket would block, it ended, or it closes once its refusal is out.
    func serveOneRecord(_ session: ControlSession) -> Bool {
        let id = session.connectionID
        guard isLive(id), !session.closeAfterFlush else { return false }
        let record: ReceivedRecord?
        do {
            record = try UnixSeqpacket.receive(session.socket.raw, into: receive)
        } catch {
            closeSession(id, reason: "receive failed: \(error)")
            return false
        }
        guard let record else { return false }  // would block
        if record.isEndOfStream {
            closeSession(id, reason: "peer closed the connection")
            return false
        }
        handle(record, from: session)
        return isLive(id) && !session.closeAfterFlush
    }

    private func handle(_ record: ReceivedRecord, from session: ControlSession) {
        let bytes = UnsafeRawBufferPointer(rebasing: receive[..<min(record.byteCount, receive.count)])
        let admission = RecordAdmission.check(bytes, byteCount: record.byteCount, truncated: record.truncated,
            controlTruncated: record.controlTruncated)
        if case .refuse(let error, let requestID, let detail) = admission {
            for d in record.descriptors { d.close() }
            refuse(session, requestID: requestID, error, detail: detail)
            return
        }
        let header: MessageHeader
        do {
            header = try MessageCodec.peekHeader(bytes)
        } catch {
            for d in record.descriptors { d.close() }
            refuse(session, requestID: 0, error.exoError, detail: "\(error)")
            return
        }
        let message: Message
        do {
            message = try MessageCodec.decode(bytes)
        } catch {
            // The header was readable: answer under the peer's request id. Framing and version
            // errors close the session; an unknown kind or an over-limit batch does not.
            for d in record.descriptors { d.close() }
            refuse(session, requestID: header.requestID, error.exoError, detail: "\(error)")
            return
        }
        // No request of this protocol carries descriptors: close any that came along.
        if !record.descriptors.isEmpty {
            for d in record.descriptors { d.close() }
            refuse(session, requestID: header.requestID, .unexpectedDescriptors,
                detail: "\(record.descriptors.count) descriptors closed")
            return
        }
        guard case .request(let requestID, let request) = message else {
            refuse(session, requestID: header.requestID, .unknownRequest, detail: "peers send requests only")
            return
        }
        let response = dispatcher.dispatch(request, version: header.version, from: session)
        if response.closesSession { session.closeAfterFlush = true }
        let encoded = Records.encode(.reply(id: requestID, response.reply), version: session.version)
        send(OutboundRecord(bytes: encoded, descriptors: response.descriptors), to: session)
        if !response.offersChanged.isEmpty { offersChanged(response.offersChanged) }
    }
}
