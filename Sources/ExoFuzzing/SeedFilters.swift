// Filter-compiler seeds in the target's input format: binding byte, port, filter count, then
// per filter an atom count and 12-byte atoms, then a frame (docs/FILTERS.md has the atoms).

enum SeedFilters {
    static var all: [FuzzSeed] {
        let frame = SeedPackets.udp(
            from: SeedPackets.host, to: SeedPackets.tenant, port: 7, payload: Array("hello".utf8))
        // transport offset 0, width 2: the source port 4000 (0x0FA0).
        let sourcePort = atom(base: 2, offset: 0, width: 2, mask: 0xFFFF, value: 4000)
        let otherPort = atom(base: 2, offset: 0, width: 2, mask: 0xFFFF, value: 5000)
        // network offset 12, width 4: the source address 10.9.0.1.
        let sourceAddress = atom(base: 1, offset: 12, width: 4, mask: 0xFFFF_FFFF, value: 0x0A09_0001)
        let payloadByte = atom(base: 2, offset: 8, width: 1, mask: 0xFF, value: UInt32(UInt8(ascii: "h")))
        return [
            FuzzSeed("udp-one-filter", [0] + le16(7) + [1] + [1] + sourcePort + frame),
            FuzzSeed(
                "udp-three-filters",
                [0] + le16(7) + [3] + [1] + otherPort + [2] + sourcePort + sourceAddress
                    + [1] + payloadByte + frame),
            FuzzSeed(
                "udp-shared-prefix", [0] + le16(7) + [2] + [2] + sourcePort + payloadByte + [1] + sourcePort + frame),
            FuzzSeed("address-binding", [2] + le16(0) + [1] + [1] + sourceAddress + frame),
            FuzzSeed("contradictory", [0] + le16(7) + [1] + [2] + sourcePort + otherPort + frame, .refused),
        ]
    }

    static func atom(base: UInt8, offset: UInt16, width: UInt8, mask: UInt32, value: UInt32) -> [UInt8] {
        [base] + le16(offset) + [width] + le32(mask) + le32(value)
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func le32(_ value: UInt32) -> [UInt8] { le16(UInt16(value & 0xFFFF)) + le16(UInt16(value >> 16)) }
}
