// The encoder refuses every message the decoder would refuse, so an over-limit batch,
// name, token, page or record can never reach the wire silently.

import ExoWire
import Testing

@Suite("Encode limits")
struct EncodeLimitTests {
    private func encodeError(_ message: Message, version: UInt16 = 1) -> WireEncodeError? {
        do {
            _ = try MessageCodec.encode(message, version: version)
            return nil
        } catch {
            return error
        }
    }

    @Test("batches must hold 1 to maxBatch frames")
    func batches() {
        let tooMany = Array(0...UInt32(WireLimits.maxBatch))
        #expect(encodeError(.request(id: 1, .allocate(frames: tooMany))) == .limitExceeded("allocate.frames"))
        #expect(encodeError(.request(id: 1, .unref(frames: []))) == .badValue("unref.frames"))
        #expect(encodeError(.request(id: 1, .map(frames: tooMany))) == .limitExceeded("map.frames"))
        #expect(encodeError(.request(id: 1, .allocateAny(count: 0))) == .badValue("allocateAny.count"))
        #expect(encodeError(.request(id: 1, .allocateAny(count: 254))) == .limitExceeded("allocateAny.count"))
        let holdings = [HoldingInfo](repeating: Fixtures.holding, count: WireLimits.maxDescriptorsPerMessage + 1)
        #expect(encodeError(.reply(id: 1, .mapped(holdings))) == .limitExceeded("mapped.holdings"))
    }

    @Test("names, tokens and text have length limits")
    func lengths() {
        let longName = String(repeating: "a", count: WireLimits.maxNameSize + 1)
        #expect(encodeError(.request(id: 1, .grant(frame: 1, rights: .read, audience: longName))) == .limitExceeded("grant.audience"))
        #expect(encodeError(.request(id: 1, .grant(frame: 1, rights: .read, audience: ""))) == .badValue("grant.audience"))
        #expect(encodeError(.request(id: 1, .redeem(token: []))) == .badValue("redeem.token"))
        let longToken = [UInt8](repeating: 1, count: WireLimits.maxTokenSize + 1)
        #expect(encodeError(.event(.offer(token: longToken, tokenID: 1, frame: 1, rights: .read, fromTenant: "a"))) == .limitExceeded("offer.token"))
        let longText = String(repeating: "é", count: WireLimits.maxTextSize / 2 + 1)
        #expect(encodeError(.reply(id: 1, .error(.internalError, detail: longText))) == .limitExceeded("error.detail"))
    }

    @Test("rights that are not well formed cannot be encoded")
    func rights() {
        #expect(encodeError(.request(id: 1, .grant(frame: 1, rights: .write, audience: "b"))) == .badValue("grant.rights"))
        let bad = HoldingInfo(frame: 1, holding: 1, epoch: 1, rights: Rights(rawValue: 0x09))
        #expect(encodeError(.reply(id: 1, .redeemed(bad))) == .badValue("holding.rights"))
    }

    @Test("a hello's name must match its role and its versions must be ordered")
    func hello() {
        let named = Hello(role: .operator, tenantName: "root")
        #expect(encodeError(.request(id: 1, .hello(named))) == .limitExceeded("hello.tenantName"))
        let unnamed = Hello(role: .tenant, tenantName: "")
        #expect(encodeError(.request(id: 1, .hello(unnamed))) == .badValue("hello.tenantName"))
        let reversed = Hello(minVersion: 2, maxVersion: 1, role: .tenant, tenantName: "a")
        #expect(encodeError(.request(id: 1, .hello(reversed))) == .badValue("hello.versions"))
    }

    @Test("pages ask for 1 to maxPageSize entries and return at most maxPageSize")
    func pages() {
        #expect(encodeError(.request(id: 1, .tenants(Page(cursor: 0, limit: 0)))) == .badValue("page.limit"))
        #expect(encodeError(.request(id: 1, .tenants(Page(cursor: 0, limit: 513)))) == .limitExceeded("page.limit"))
        let entries = [TenantInfo](
            repeating: TenantInfo(id: 0, name: "a", frameQuota: 0, framesHeld: 0, sessions: 0, uids: []),
            count: WireLimits.maxPageSize + 1)
        #expect(encodeError(.reply(id: 1, .tenants(ListingPage(entries: entries, nextCursor: nil)))) == .limitExceeded("page.entries"))
    }

    @Test("a record over 64 KiB cannot be encoded, and a full one can")
    func recordSize() throws {
        let name = String(repeating: "n", count: WireLimits.maxNameSize)
        let holder = FrameHolderInfo(tenant: 1, tenantName: name, session: 1, holding: 1, rights: .read)
        let frame = FrameInfo(frame: 1, epoch: 1, inFlight: 0, holders: [holder])
        let big = Message.reply(id: 1, .frames(ListingPage(entries: Array(repeating: frame, count: 512), nextCursor: nil)))
        guard case .tooLarge(let size) = encodeError(big) else {
            Issue.record("expected tooLarge")
            return
        }
        #expect(size > WireLimits.maxMessageSize)
        let fits = Message.reply(id: 1, .frames(ListingPage(entries: Array(repeating: frame, count: 200), nextCursor: 200)))
        let record = try MessageCodec.encode(fits)
        #expect(record.count <= WireLimits.maxMessageSize)
        #expect(try MessageCodec.decode(record) == fits)
    }

    @Test("only a hello may be encoded in a version the codec does not speak")
    func versions() {
        #expect(encodeError(.request(id: 1, .ping), version: 2) == .unsupportedVersion(2))
        #expect(encodeError(.reply(id: 1, .pong), version: 0) == .unsupportedVersion(0))
        #expect(encodeError(.request(id: 1, .hello(Hello(role: .operator, tenantName: ""))), version: 2) == nil)
    }
}
