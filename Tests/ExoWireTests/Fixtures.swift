// Representative messages of every kind, a seeded random generator, and helpers that
// build or patch raw records byte by byte for the malformed-input tests.

import ExoWire
import ExoPacket

/// One message of every kind, with values that exercise each field (non-ASCII names,
/// absent and present optionals, empty and full lists).
enum Fixtures {
    static let holding = HoldingInfo(frame: 42, holding: 0x1122_3344_5566_7788, epoch: 3, rights: .owner)
    static let readOnly = HoldingInfo(frame: 7, holding: 9, epoch: 0, rights: .read)
    static let token: [UInt8] = (0..<48).map { UInt8($0 * 5 & 0xFF) }

    static let requests: [Request] = [
        .hello(Hello(minVersion: 1, maxVersion: 1, features: [], role: .tenant, tenantName: "alice")),
        .hello(Hello(minVersion: 1, maxVersion: 3, features: FeatureBits(rawValue: 0b101), role: .operator, tenantName: "")),
        .allocate(frames: [0, 1, 2, 0xFFFF_FFFF]),
        .allocate(frames: Array(0..<UInt32(WireLimits.maxBatch))),
        .allocateAny(count: 1),
        .allocateAny(count: UInt32(WireLimits.maxBatch)),
        .unref(frames: [5]),
        .map(frames: [3, 1, 2]),
        .grant(frame: 42, rights: [.read], audience: "bob"),
        .grant(frame: 43, rights: .owner, audience: "zoë-тенант"),
        .redeem(token: token),
        .ping,
        .status,
        .tenants(Page()),
        .tenants(Page(cursor: 1_000, limit: 1)),
        .frames(tenant: nil, page: Page(cursor: 0, limit: 100)),
        .frames(tenant: "alice", page: Page(cursor: 17, limit: 512)),
        .capabilities(tenant: nil, page: Page()),
        .capabilities(tenant: "bob", page: Page(cursor: 3, limit: 2)),
        .openDataPath(ringCapacity: 256),
        .bind(WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 5000)),
        .bind(.whole(0x0A4D_0002)),
        .unbind(WireEndpoint(proto: WireEndpoint.tcp, address: 0x0A4D_000A, port: 65_535)),
        .bindings(tenant: nil, page: Page()),
        .bindings(tenant: "alice", page: Page(cursor: 4, limit: 8)),
        .stats,
        .nic,
        .installFilter(WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 5000), atoms: [
            WireFilterAtom(base: 2, offset: 0, width: 2, mask: 0xFFFF, value: 5353),
            WireFilterAtom(base: 0, offset: 9_000, width: 4, mask: 0xF0F0_F0F0, value: 0x1020_3040),
        ]),
        // Bad bases, widths and empty atom lists travel: the daemon refuses them with a typed error.
        .installFilter(.whole(0x0A4D_0002), atoms: [WireFilterAtom(base: 7, offset: .max, width: 3, mask: 0, value: 9)]),
        .installFilter(.whole(0x0A4D_0002), atoms: []),
        .removeFilter(filterID: 0xFEED_0000_0001),
        .offers(Page()),
        .offers(Page(cursor: 77, limit: 1)),
        .filters(tenant: nil, page: Page()),
        .filters(tenant: "alice", page: Page(cursor: 2, limit: 3)),
        .capture(tenant: "alice", count: 0, snapLength: 65_000),
        .capture(tenant: "zoë", count: .max, snapLength: 0),
        .impair(tenant: nil, direction: .both, profile: WireImpairmentProfile(), seed: 0),
        .impair(tenant: "alice", direction: .toTenants, profile: Fixtures.everyFault, seed: .max),
        .reload,
        .revocationDone(id: 7),
        .revokeGrant(tokenID: 12, deadlineMillis: 100),
        .kick(tenant: "alice", session: 0),
        .kick(tenant: nil, session: 1004),
        .revoke(tenant: "alice", frames: 8, deadlineMillis: 2_000),
    ]

    static let dataPath = DataPathInfo(
        layoutVersion: 1, ringCapacity: 256, regionSize: 4 * 4096, mtu: 1500, frameSize: 4096,
        gateway: 0x0A4D_0001, gatewayMAC: MACAddress(0x02, 0x00, 0x5E, 0x10, 0x20, 0x30), prefixLength: 24,
        addresses: [
            AddressGrant(address: 0x0A4D_0002, mac: MACAddress(0x02, 0xEE, 0, 0, 0, 2), whole: true),
            AddressGrant(address: 0x0A4D_000A, mac: MACAddress(0x02, 0, 0x5E, 0x10, 0x20, 0x30), whole: false),
        ],
        portShares: [WirePortShare(proto: WireEndpoint.udp, address: 0x0A4D_000A, firstPort: 5000, lastPort: 5099)])

    /// Every field of an impairment profile set, probabilities at their limit or near it.
    static let everyFault: WireImpairmentProfile = {
        var p = WireImpairmentProfile()
        p.lossPPM = 100_000
        p.burstEnterPPM = 10_000
        p.burstLeavePPM = 300_000
        p.burstLossGoodPPM = 1
        p.burstLossBadPPM = 1_000_000
        p.duplicatePPM = 2
        p.reorderPPM = 3
        p.reorderGapNanoseconds = 4
        p.delayNanoseconds = 5
        p.jitterNanoseconds = 6
        p.corruptPPM = 7
        p.rateBitsPerSecond = .max
        p.queueLimitNanoseconds = 9
        return p
    }()

    static let replies: [Reply] = [
        .helloAccepted(HelloAccepted(
            version: 1, features: [], sessionID: 77, tenantID: 2, frameSize: 4096, poolFrames: 16_384,
            frameQuota: 256)),
        .helloAccepted(HelloAccepted(
            version: 1, features: FeatureBits(rawValue: 1), sessionID: .max, tenantID: WireLimits.noTenant,
            frameSize: 4096, poolFrames: 1, frameQuota: 0, maxMessageSize: 1024, maxDescriptorsPerMessage: 16)),
        .allocated([holding, readOnly]),
        .unreffed(count: 3),
        .unreffed(count: 0),
        .mapped([readOnly, holding]),
        .granted(token: token, tokenID: 99),
        .redeemed(readOnly),
        .pong,
        .status(StatusInfo(
            daemonVersion: "exokerneld 0.1.0", protocolVersion: 1, pid: 4242, uptimeSeconds: 86_400,
            poolFrames: 16_384, frameSize: 4096, freeFrames: 16_000, tenantsConfigured: 3, sessions: 4,
            holdings: 384, outstandingTokens: 2)),
        .tenants(ListingPage(
            entries: [
                TenantInfo(id: 0, name: "alice", frameQuota: 256, framesHeld: 10, sessions: 1, uids: [1001], usage: [
                    ResourceUsage(resource: "tokensIssued", used: 3, limit: 1024, refused: 0),
                    ResourceUsage(resource: "faultReports", used: .max, limit: .max, refused: .max),
                ]),
                TenantInfo(id: 1, name: "bob", frameQuota: 64, framesHeld: 0, sessions: 0, uids: []),
            ], nextCursor: 2)),
        .tenants(ListingPage(entries: [], nextCursor: nil)),
        .frames(ListingPage(
            entries: [
                FrameInfo(frame: 42, epoch: 3, inFlight: 1, holders: [
                    FrameHolderInfo(tenant: 0, tenantName: "alice", session: 77, holding: 5, rights: .owner),
                    FrameHolderInfo(tenant: 1, tenantName: "bob", session: 78, holding: 6, rights: .read),
                ]),
                FrameInfo(frame: 43, epoch: 0, inFlight: 0, holders: []),
            ], nextCursor: nil)),
        .capabilities(ListingPage(
            entries: [
                CapabilityInfo(
                    tokenID: 99, frame: 42, rights: [.read, .write], issuerTenant: "alice", issuerHolding: 5,
                    audienceTenant: "bob")
            ], nextCursor: 1)),
        .dataPathOpened(dataPath),
        .dataPathOpened(DataPathInfo(
            layoutVersion: 1, ringCapacity: 1, regionSize: 4096 * 4, mtu: 68, frameSize: 2048, gateway: 0,
            gatewayMAC: .zero, prefixLength: 32, addresses: [], portShares: [])),
        .bound(WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 5000)),
        .unbound(.whole(0x0A4D_0002)),
        .bindings(ListingPage(
            entries: [
                BindingInfo(tenant: "alice", session: 77, endpoint: .whole(0x0A4D_0002)),
                BindingInfo(tenant: "zoë", session: .max, endpoint: WireEndpoint(proto: 6, address: 1, port: 80)),
            ], nextCursor: 2)),
        .bindings(ListingPage(entries: [], nextCursor: nil)),
        .stats([
            TenantStats(tenant: "alice", rxPackets: 10, rxBytes: 1_000, txPackets: 3, txBytes: 300, drops: [
                DropCount(reason: "spoofedSource", count: 2), DropCount(reason: "noFillFrame", count: .max),
            ]),
            TenantStats(tenant: "bob", rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, drops: []),
        ]),
        .stats([]),
        .filterInstalled(filterID: 1),
        .filterRemoved(filterID: .max),
        .offers(ListingPage(entries: [
            OfferInfo(token: token, tokenID: 99, frame: 42, rights: [.read, .grant], fromTenant: "alice"),
            OfferInfo(token: [1], tokenID: .max, frame: .max, rights: .owner, fromTenant: String(repeating: "b", count: 255)),
        ], nextCursor: 100)),
        .offers(ListingPage(entries: [], nextCursor: nil)),
        .filters(ListingPage(entries: [
            FilterInfo(tenant: "alice", session: 3, endpoint: WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 53),
                filterID: 9, atoms: [WireFilterAtom(base: 2, offset: 8, width: 1, mask: 0xFF, value: 0x41)]),
            FilterInfo(tenant: "bob", session: 4, endpoint: .whole(0x0A4D_000B), filterID: 10, atoms: []),
        ], nextCursor: 2)),
        .filters(ListingPage(entries: [], nextCursor: nil)),
        .nic(NicInfo(
            backend: "tap", name: "exo0", ifindex: 12, isUp: true, isRunning: false, mtu: 1500,
            mac: MACAddress(0x02, 0, 0x5E, 0x10, 0x20, 0x30), hostAddress: 0x0A4D_0001, prefixLength: 24,
            rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4, drops: 5, linkDownEvents: 6, mtuChanges: 7,
            linkDeleted: true, reattachments: 8)),
        .nic(NicInfo(
            backend: "none", name: "", ifindex: 0, isUp: false, isRunning: false, mtu: 0, mac: .zero,
            hostAddress: 0, prefixLength: 0, rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0, drops: 0,
            linkDownEvents: 0)),
        .captureStarted(captureID: 1, snapLength: 96),
        .captureStarted(captureID: .max, snapLength: .max),
        .impaired,
        .revocationSettled(RevocationSettlement(held: 24, met: true)),
        .revocationStarted(RevocationStarted(id: 7, target: 24, held: 32)),
        .grantRevocationStarted(id: 8),
        .kicked(sessions: 2),
        .reloaded(ReloadReport(applied: true, warnings: ["f.toml: tenant: no [[tenant]] is configured"], tenantsAdded: 1,
            tenantsRemoved: 2, tenantsChanged: 3, sessionsEnded: 4, bindingsEnded: 5)),
        .reloaded(ReloadReport(
            applied: false, errors: Array(repeating: String(repeating: "é", count: 512), count: ReloadReport.maxLines),
            warnings: Array(repeating: String(repeating: "w", count: 1_024), count: ReloadReport.maxLines))),
        .error(.endpointInUse, detail: "udp 10.77.0.10:5000"),
        .error(.alreadyAllocated, detail: "frame 42 is held"),
        .error(.internalError, detail: ""),
    ]

    static let events: [Event] = [
        .offer(token: token, tokenID: 99, frame: 42, rights: [.read, .grant], fromTenant: "alice"),
        .tokenRevoked(tokenID: 99),
        .dataPathFault(reason: DataPathFaultReason.notHeldWritable.rawValue, frame: 42, coalesced: 0),
        .dataPathFault(reason: .max, frame: .max, coalesced: .max),
        .offersChanged(outstanding: 0),
        .offersChanged(outstanding: .max),
        .capturedFrame(CapturedPacket(
            captureID: 3, direction: .sent, timestampNanoseconds: 1_700_000_000_123_456_789, originalLength: 60,
            bytes: Array(0..<60))),
        .capturedFrame(CapturedPacket(
            captureID: .max, direction: .received, timestampNanoseconds: .max, originalLength: .max,
            bytes: [UInt8](repeating: 0xAB, count: 1_514))),
        .captureEnded(CaptureEnd(captureID: 3, reason: .countReached, captured: 10, lost: 0)),
        .captureEnded(CaptureEnd(captureID: .max, reason: .daemonStopping, captured: .max, lost: .max)),
        .grantsChanged(GrantsChange(ended: [], addresses: [], portShares: [])),
        .revocationRequested(RevocationNotice(id: 7, reason: 2, target: 24, held: 32, deadlineMillis: 2_000)),
        .repossessed(RepossessionNotice(id: 7, frames: [], condemned: 0)),
        .repossessed(RepossessionNotice(id: 7, frames: [3, 9, 12], condemned: 2)),
        .revocationRequested(RevocationNotice(id: 8, reason: 4, target: 0, held: 3, deadlineMillis: 100, frames: [5])),
        .framesMoved(FramesMoved(frames: [5, 6])),
        .grantsChanged(GrantsChange(
            ended: [.whole(0x0A4D_0002), WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 5000)],
            addresses: dataPath.addresses, portShares: dataPath.portShares)),
    ]

    /// Every fixture as a message, with varied request ids.
    static let messages: [Message] =
        requests.enumerated().map { .request(id: UInt32($0.offset + 1), $0.element) }
        + replies.enumerated().map { .reply(id: UInt32.max - UInt32($0.offset), $0.element) }
        + events.map { .event($0) }

    /// The record of `message` in version 1; fixtures are valid, so encoding cannot fail.
    static func record(_ message: Message) throws -> [UInt8] {
        try MessageCodec.encode(message, version: 1)
    }
}

/// A record with a hand-made body, for inputs the encoder refuses to produce.
func rawRecord(kind: UInt16, version: UInt16 = 1, requestID: UInt32 = 1, body: [UInt8]) -> [UInt8] {
    var writer = WireWriter()
    writer.write(WireLimits.magic)
    writer.write(version)
    writer.write(kind)
    writer.write(requestID)
    writer.write(UInt32(body.count))
    return writer.bytes + body
}

/// `record` with its header's bodyLength rewritten to match its actual length (a record
/// shorter than a header is returned as it is).
func withFixedLength(_ record: [UInt8]) -> [UInt8] {
    guard record.count >= WireLimits.headerSize else { return record }
    var writer = WireWriter(bytes: record)
    writer.set(UInt32(record.count - WireLimits.headerSize), at: 12)
    return writer.bytes
}

/// A small deterministic generator (SplitMix64), so every fuzz run sees the same inputs.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Decodes `bytes`, returning the error instead of throwing it.
func decodeError(_ bytes: [UInt8]) -> WireDecodeError? {
    do {
        _ = try MessageCodec.decode(bytes)
        return nil
    } catch {
        return error
    }
}
