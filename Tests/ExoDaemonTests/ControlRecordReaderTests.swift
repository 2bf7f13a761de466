// Specification of taking a control record apart (docs/PROTOCOL.md §1): a request comes out
// decoded with its id and version; an oversized record, a reply sent as a request, or a
// request carrying descriptors comes out as the refusal the peer is owed; a closed peer ends.

import ExoPlatform
import ExoWire
import Testing

@testable import ExoDaemon

@Suite("ControlRecordReader")
struct ControlRecordReaderTests {
    let reader = ControlRecordReader()
    let daemonSide: OwnedDescriptor
    let peerSide: OwnedDescriptor

    init() throws {
        (daemonSide, peerSide) = try UnixSeqpacket.pair()
    }

    @Test func nothingWaitingIsNothing() {
        guard case .nothing = reader.read(daemonSide.raw) else {
            Issue.record("read something from an empty socket")
            return
        }
    }

    @Test func aRequestComesOutDecodedWithItsIDAndVersion() throws {
        let bytes = try MessageCodec.encode(.request(id: 41, .allocate(frames: [2, 3])), version: WireLimits.maxVersion)
        #expect(try UnixSeqpacket.send(peerSide.raw, bytes))
        guard case .request(let id, let version, let request) = reader.read(daemonSide.raw) else {
            Issue.record("no request")
            return
        }
        #expect(id == 41 && version == WireLimits.maxVersion && request == .allocate(frames: [2, 3]))
    }

    @Test func aRecordOverTheSizeLimitIsBatchTooLargeUnderItsRequestID() throws {
        var bytes = try MessageCodec.encode(.request(id: 42, .ping), version: WireLimits.maxVersion)
        bytes += [UInt8](repeating: 0, count: WireLimits.maxMessageSize)
        #expect(try UnixSeqpacket.send(peerSide.raw, bytes))
        guard case .refuse(let error, let id, _) = reader.read(daemonSide.raw) else {
            Issue.record("an oversized record was not refused")
            return
        }
        #expect(error == .batchTooLarge && id == 42)
    }

    @Test func aReplySentToTheDaemonIsUnknownRequest() throws {
        let bytes = try MessageCodec.encode(.reply(id: 43, .pong), version: WireLimits.maxVersion)
        #expect(try UnixSeqpacket.send(peerSide.raw, bytes))
        guard case .refuse(let error, let id, _) = reader.read(daemonSide.raw) else {
            Issue.record("a reply was taken as a request")
            return
        }
        #expect(error == .unknownRequest && id == 43)
    }

    @Test func aRequestCarryingDescriptorsIsUnexpectedDescriptors() throws {
        let bytes = try MessageCodec.encode(.request(id: 44, .ping), version: WireLimits.maxVersion)
        let extra = try #require(OwnedDescriptor.openNullDevice())
        defer { extra.close() }
        #expect(try UnixSeqpacket.send(peerSide.raw, bytes, descriptors: [extra.raw]))
        guard case .refuse(let error, let id, _) = reader.read(daemonSide.raw) else {
            Issue.record("descriptors on a request were accepted")
            return
        }
        #expect(error == .unexpectedDescriptors && id == 44)
    }

    @Test func aPeerThatClosedEndsTheSession() {
        peerSide.close()
        guard case .ended = reader.read(daemonSide.raw) else {
            Issue.record("a closed peer did not end the session")
            return
        }
    }
}
