// The seed inputs of each target, built with the project's own encoders so that they are
// valid: `exo-fuzz seeds TARGET DIR` writes them into Fuzz/corpus/TARGET (plus the
// hand-written edge cases kept there).

import ExoWire

/// One generated seed: its file name in the corpus, its bytes, and how far it must get (a
/// seed of valid input that its target refuses has gone stale).
public struct FuzzSeed: Sendable {
    public let name: String
    public let bytes: [UInt8]
    public let verdict: FuzzVerdict

    init(_ name: String, _ bytes: [UInt8], _ verdict: FuzzVerdict = .accepted) {
        self.name = name
        self.bytes = bytes
        self.verdict = verdict
    }
}

/// Named seed inputs per target.
public enum FuzzSeeds {
    public static func seeds(for target: FuzzTarget) -> [FuzzSeed] {
        switch target {
        case .controlMessage: controlMessages()
        case .packetParser: SeedPackets.all
        case .filterCompiler: SeedFilters.all
        case .ringDescriptors: SeedRingScripts.all
        case .configLoading: []  // text files, kept in the corpus by hand (config/exokerneld.toml first)
        }
    }

    static func controlMessages() -> [FuzzSeed] {
        let endpoint = WireEndpoint(proto: 17, address: 0x0A09_0002, port: 7)
        let messages: [(String, Message)] = [
            ("hello", .request(id: 1, .hello(Hello(role: .tenant, tenantName: "alice")))),
            ("allocate", .request(id: 2, .allocate(frames: [3, 4]))),
            ("allocate-any", .request(id: 3, .allocateAny(count: 8))),
            ("unref", .request(id: 4, .unref(frames: [3]))),
            ("grant", .request(id: 5, .grant(frame: 3, rights: .read, audience: "bob"))),
            ("redeem", .request(id: 6, .redeem(token: [UInt8](repeating: 7, count: 48)))),
            ("ping", .request(id: 7, .ping)),
            ("open-data-path", .request(id: 8, .openDataPath(ringCapacity: 64))),
            ("bind", .request(id: 9, .bind(endpoint))),
            (
                "install-filter",
                .request(
                    id: 10,
                    .installFilter(
                        endpoint,
                        atoms: [
                            WireFilterAtom(base: 2, offset: 0, width: 2, mask: 0xFFFF, value: 4000)
                        ]))
            ),
            ("frames-page", .request(id: 11, .frames(tenant: "alice", page: Page(cursor: 2, limit: 10)))),
            ("capture", .request(id: 12, .capture(tenant: "alice", count: 5, snapLength: 128))),
            ("status", .request(id: 13, .status)),
            ("reply-pong", .reply(id: 7, .pong)),
            ("reply-error", .reply(id: 2, .error(.notPermitted, detail: "not yours"))),
            ("reply-filter-installed", .reply(id: 10, .filterInstalled(filterID: 42))),
            ("event-fault", .event(.dataPathFault(reason: 2, frame: 9, coalesced: 3))),
            ("event-token-revoked", .event(.tokenRevoked(tokenID: 5))),
        ]
        // An encoding failure leaves a seed empty: its test then says it is not accepted.
        return messages.map { name, message in FuzzSeed(name, (try? MessageCodec.encode(message)) ?? []) }
    }
}
