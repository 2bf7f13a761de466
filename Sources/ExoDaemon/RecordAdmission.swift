// The first look at a received control record, before its body is decoded: a record over the
// size limit or with more descriptors than a record can carry is refused here, under the
// request id its header gives, and (being one whole SEQPACKET record) costs the session nothing.

import ExoWire

/// What to do with one received record before decoding it.
enum RecordAdmission: Equatable {
    /// Within the limits: decode it.
    case decode
    /// Answer `error` under `requestID` and do not perform it.
    case refuse(ExoError, requestID: UInt32, detail: String)

    /// Decides from what `recvmsg` reported. `received` is the start of the record (all of it
    /// unless it was over the limit); `byteCount` the bytes received, `truncated` MSG_TRUNC,
    /// `controlTruncated` MSG_CTRUNC (descriptors beyond what a record carries were discarded
    /// and closed by the kernel).
    ///
    /// An oversized record is step 1 of the decoding order (docs/PROTOCOL.md §1): `tooLarge`,
    /// answered `batchTooLarge`, which keeps the session — a SEQPACKET record arrives whole or
    /// not at all, so the next record starts cleanly. Its request id is the header's when the
    /// header is readable (magic right), else 0.
    static func check(_ received: UnsafeRawBufferPointer, byteCount: Int, truncated: Bool, controlTruncated: Bool)
        -> RecordAdmission
    {
        let requestID = (try? MessageCodec.peekHeader(received))?.requestID ?? 0
        if truncated || byteCount > WireLimits.maxMessageSize {
            return .refuse(.batchTooLarge, requestID: requestID,
                detail: "record longer than \(WireLimits.maxMessageSize) bytes; not performed")
        }
        if controlTruncated {
            return .refuse(.unexpectedDescriptors, requestID: requestID,
                detail: "record carried more descriptors than a record may; all closed")
        }
        return .decode
    }
}
