// Ring-target seeds in its script format (RingDescriptorFuzzing.step): what a well-behaved
// tenant does (fill, receive, send, complete) and a few classic hostile moves. The tenant
// holds frames 0-7 (the other tenant 8-11); steps name frames by number.

enum SeedRingScripts {
    // Opcodes: low 3 bits the step, bits 4-5 the ring (fill, rx, tx, completion), bits 6-7
    // the header word (producer, consumer, flags).
    static let fill: UInt8 = 0x00, rx: UInt8 = 0x10, tx: UInt8 = 0x20, completion: UInt8 = 0x30
    static let producer: UInt8 = 0x00, consumer: UInt8 = 0x40

    static var all: [FuzzSeed] {
        let packet = SeedPackets.udp(
            from: SeedPackets.tenant, to: SeedPackets.host, port: 9, payload: Array("out".utf8))
        let inbound = SeedPackets.udp(
            from: SeedPackets.host, to: SeedPackets.tenant, port: 7, payload: Array("in".utf8))
        let capacity8: UInt8 = 3
        return [
            FuzzSeed(
                "fill-then-receive",
                [capacity8] + slot(fill, 0, frame: 0) + slot(fill, 1, frame: 1) + advance(fill, producer, 2)
                    + [kick] + wire(inbound) + advance(rx, consumer, 1)),
            FuzzSeed(
                "send-and-complete",
                [capacity8] + frameBytes(0, packet) + slot(tx, 0, frame: 0, length: packet.count)
                    + advance(tx, producer, 1) + [kick] + advance(completion, consumer, 1)),
            FuzzSeed("producer-runs-ahead", [capacity8] + absolute(tx, producer, 0xFFFF_FFF0) + [kick], .refused),
            FuzzSeed(
                "frame-twice-in-one-batch",
                [capacity8] + slot(fill, 0, frame: 2) + slot(fill, 1, frame: 2) + advance(fill, producer, 2) + [kick],
                .refused),
            FuzzSeed(
                "another-tenants-frame",
                [capacity8] + slot(tx, 0, frame: 9, length: 60) + advance(tx, producer, 1) + [kick], .refused),
            FuzzSeed(
                "fill-frame-sent-too",
                [2] + slot(fill, 0, frame: 3) + advance(fill, producer, 1) + [kick]
                    + frameBytes(3, packet) + slot(tx, 0, frame: 3, length: packet.count) + advance(tx, producer, 1) + [
                        kick
                    ], .refused),
            FuzzSeed(
                "length-past-frame", [0] + slot(tx, 0, frame: 0, length: 4000) + advance(tx, producer, 1) + [kick],
                .refused),
        ]
    }

    static let kick: UInt8 = 7

    static func advance(_ ring: UInt8, _ word: UInt8, _ delta: Int8) -> [UInt8] {
        [ring | word | 0, UInt8(bitPattern: delta)]
    }

    static func absolute(_ ring: UInt8, _ word: UInt8, _ value: UInt32) -> [UInt8] {
        [ring | word | 1] + SeedFilters.le32(value)
    }

    static func slot(_ ring: UInt8, _ slot: UInt8, frame: UInt8, length: Int = 0) -> [UInt8] {
        [ring | 2, slot, frame] + SeedFilters.le16(UInt16(length)) + [0]
    }

    static func frameBytes(_ frame: UInt8, _ bytes: [UInt8]) -> [UInt8] { [4, frame, UInt8(bytes.count)] + bytes }

    static func wire(_ frame: [UInt8]) -> [UInt8] { [5] + SeedFilters.le16(UInt16(frame.count)) + frame }
}
