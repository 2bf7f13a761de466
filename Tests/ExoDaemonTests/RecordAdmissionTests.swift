// Specification of the daemon's first look at a control record: an oversized record is
// `batchTooLarge` under its own request id (the session stays), as docs/PROTOCOL.md §1 and §7
// say; a record with too many descriptors is `unexpectedDescriptors`; the rest is decoded.

import ExoWire
import Testing

@testable import ExoDaemon

@Suite("RecordAdmission")
struct RecordAdmissionTests {
    /// A ping with `requestID` whose header claims a body of `bodyLength` bytes, padded to `size`.
    static func record(requestID: UInt32, size: Int, magic: UInt32 = 0x4B4F_5845) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xAB, count: size)
        func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
            withUnsafeBytes(of: value.littleEndian) { for (i, b) in $0.enumerated() { bytes[offset + i] = b } }
        }
        put(magic, at: 0)
        put(UInt16(1), at: 4)
        put(MessageKind.ping.rawValue, at: 6)
        put(requestID, at: 8)
        put(UInt32(size - 16), at: 12)
        return bytes
    }

    static func check(_ bytes: [UInt8], received: Int? = nil, truncated: Bool = false, controlTruncated: Bool = false)
        -> RecordAdmission
    {
        bytes.withUnsafeBytes {
            RecordAdmission.check(UnsafeRawBufferPointer(rebasing: $0.prefix(received ?? bytes.count)),
                byteCount: received ?? bytes.count, truncated: truncated, controlTruncated: controlTruncated)
        }
    }

    @Test func aRecordOfExactlyTheLimitIsDecoded() {
        #expect(Self.check(Self.record(requestID: 9, size: WireLimits.maxMessageSize)) == .decode)
    }

    @Test func oneByteOverTheLimitIsBatchTooLargeUnderItsRequestID() throws {
        // The daemon's buffer holds limit + 1 bytes, so such a record arrives whole, untruncated.
        let verdict = Self.check(Self.record(requestID: 0x0A0B_0C0D, size: WireLimits.maxMessageSize + 1))
        guard case .refuse(let error, let requestID, _) = verdict else { Issue.record("\(verdict)"); return }
        #expect(error == .batchTooLarge && !error.closesSession)
        #expect(requestID == 0x0A0B_0C0D)
    }

    @Test func aLongerRecordArrivesTruncatedAndIsRefusedTheSameWay() {
        let bytes = Self.record(requestID: 77, size: 200_000)
        let verdict = Self.check(bytes, received: WireLimits.maxMessageSize + 1, truncated: true)
        guard case .refuse(.batchTooLarge, 77, _) = verdict else { Issue.record("\(verdict)"); return }
    }

    @Test func anOversizedRecordWithABadMagicIsStillTooLargeButUnderRequestIDZero() {
        let verdict = Self.check(Self.record(requestID: 5, size: WireLimits.maxMessageSize + 1, magic: 0xDEAD_BEEF))
        guard case .refuse(.batchTooLarge, 0, _) = verdict else { Issue.record("\(verdict)"); return }
    }

    @Test func tooManyDescriptorsAreUnexpectedDescriptorsAndKeepTheSession() {
        let verdict = Self.check(Self.record(requestID: 3, size: 16), controlTruncated: true)
        guard case .refuse(let error, 3, _) = verdict else { Issue.record("\(verdict)"); return }
        #expect(error == .unexpectedDescriptors && !error.closesSession)
    }
}
