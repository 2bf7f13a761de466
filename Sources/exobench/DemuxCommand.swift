// `exobench demux`: the cost per packet of the daemon's receive decision (the real
// Demultiplexer.classify over a real BindingTable) with 1, 100 and 10,000 bindings and filters.

import ArgumentParser
import ExoCore
import ExoPlatform
import ExoWire
import ExoPacket
import Foundation

struct DemuxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demux",
        abstract: "Cost per packet of Demultiplexer.classify with 1, 100 and 10,000 bindings (and filters), hits and misses.",
        discussion: """
            No daemon is needed: the plan and the binding table are built in this process through \
            ExoCore's own API (every grant and filter checked, as the daemon does at bind and install \
            time), and the frames are 60-byte Ethernet/IPv4/UDP or TCP frames. Two tables per size: \
            bindings only, and the same bindings each carrying 1 to 3 DPF filters of mixed shapes \
            (source port, payload bytes, source address, source MAC). Frame sets: hits, filtered (a \
            binding takes the frame, none of its filters holds) and misses (no binding, an address in \
            no grant, a wrong MAC). Every frame's delivery is checked before timing. Each round times \
            every (table, size, set) once, in the same order, so drift hits all alike; per set the \
            median and spread of ns/packet over rounds are reported, and the ratio of the largest \
            size to the smallest.
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Binding counts to measure.")
    var sizes: [Int] = [1, 100, 10_000]

    @Option(name: .long, help: "Distinct frames per set (hits, filtered and misses each).")
    var frames = 4096

    @Option(name: .long, help: "Passes over each frame set per measurement.")
    var passes = 200

    @Option(name: .long, help: "Rounds (ABAB alternation of all measures).")
    var rounds = 5

    @Flag(name: .long, help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard !sizes.isEmpty, sizes.allSatisfy({ (1...60_000).contains($0) }) else {
            throw ValidationError("--sizes must be in 1...60000")
        }
        guard frames > 0, passes > 0, rounds > 0 else { throw ValidationError("--frames, --passes and --rounds must be positive") }
    }

    func run() throws {
        var worlds: [DemuxWorld] = []
        for filtered in [false, true] {
            for size in sizes { worlds.append(try DemuxWorld(bindings: size, filtered: filtered, framesPerSet: frames, seed: 0x5EED)) }
        }
        for world in worlds { try Self.check(world) }  // warm up, and check every frame lands where it must
        var measures: [Measure] = []
        for world in worlds {
            for (kind, _) in world.sets {
                measures.append(Measure(world: world, kind: kind, samples: Samples(name: "\(world.bound.count) \(kind)", unit: "ns/packet")))
            }
        }
        for _ in 0..<rounds {
            for index in measures.indices {
                let world = measures[index].world
                let set = world.sets.first { $0.kind == measures[index].kind }!.frames
                measures[index].samples.values.append(Self.time(set, world, passes: passes))
            }
        }
        let largest = sizes.max()!, smallest = sizes.min()!
        var ratios: [(key: String, value: Double)] = []
        for table in ["bindingsOnly", "filtered"] {
            for kind in ["hits", "filtered", "misses"] {
                guard let big = measures.first(where: { $0.table == table && $0.kind == kind && $0.size == largest }),
                    let small = measures.first(where: { $0.table == table && $0.kind == kind && $0.size == smallest })
                else { continue }
                ratios.append(("\(table)\(kind.prefix(1).uppercased() + kind.dropFirst())\(largest)Over\(smallest)",
                    big.samples.median / small.samples.median))
            }
        }
        Console.out(json ? Self.json(measures, ratios, frames: frames, passes: passes, rounds: rounds)
            : Self.table(measures, ratios, frames: frames, passes: passes, rounds: rounds))
    }

    /// One timed (table, size, frame set).
    struct Measure {
        var world: DemuxWorld
        var kind: String
        var samples: Samples
        var table: String { world.filtered ? "filtered" : "bindingsOnly" }
        var size: Int { world.bound.count }
    }

    static func json(_ measures: [Measure], _ ratios: [(key: String, value: Double)], frames: Int, passes: Int, rounds: Int)
        -> String
    {
        let entries: [[String: Any]] = measures.map { m in
            var entry = m.samples.json
            entry["bindings"] = m.size
            entry["table"] = m.table
            entry["kind"] = m.kind
            entry["filters"] = m.world.filterCount
            entry["portBindings"] = m.world.portBindings
            entry["addressBindings"] = m.world.addressBindings
            return entry
        }
        let object: [String: Any] = [
            "frames": frames, "passes": passes, "rounds": rounds, "measures": entries,
            "ratios": Dictionary(uniqueKeysWithValues: ratios.map { ($0.key, $0.value) }), "aim": 1.5,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    static func table(_ measures: [Measure], _ ratios: [(key: String, value: Double)], frames: Int, passes: Int, rounds: Int)
        -> String
    {
        var lines = ["\(frames) frames per set, \(passes) passes per measurement, \(rounds) rounds"]
        lines.append(pad("TABLE", 14) + pad("BINDINGS", 10) + pad("(PORT/ADDR)", 13) + pad("FILTERS", 9) + pad("FRAMES", 10)
            + pad("MEDIAN", 9, right: true) + pad("MIN", 9, right: true) + pad("MAX", 9, right: true) + "  ns/packet")
        for m in measures {
            let w = m.world
            lines.append(pad(m.table, 14) + pad("\(m.size)", 10) + pad("\(w.portBindings)/\(w.addressBindings)", 13)
                + pad("\(w.filterCount)", 9) + pad(m.kind, 10)
                + pad(String(format: "%.1f", m.samples.median), 9, right: true)
                + pad(String(format: "%.1f", m.samples.minimum), 9, right: true)
                + pad(String(format: "%.1f", m.samples.maximum), 9, right: true))
        }
        for ratio in ratios { lines.append("\(ratio.key) = " + String(format: "%.3f", ratio.value) + " (aim: at most 1.5)") }
        return lines.joined(separator: "\n")
    }

    /// Every frame must get exactly the delivery it was built for (hits: the session holding
    /// the binding; filtered: `filteredOut` of that session; misses: their drop reason).
    /// Anything else is a broken set-up, which fails instead of timing the wrong path.
    static func check(_ world: DemuxWorld) throws {
        for (kind, set) in world.sets {
            var index = 0
            var wrong: [String] = []
            classifyAll(set, world) { delivery in
                if delivery != set.expected[index], wrong.count < 3 { wrong.append("frame \(index): \(delivery), not \(set.expected[index])") }
                index += 1
            }
            let table = world.filtered ? "filtered" : "bindings-only"
            guard wrong.isEmpty else {
                throw DemuxSetupError("\(table), \(world.bound.count) bindings, \(kind): \(wrong.joined(separator: "; "))")
            }
        }
    }

    /// ns per packet of `passes` passes over `set`. The sessions returned are summed into a
    /// value the loop's result depends on, so the optimiser cannot drop the work.
    static func time(_ set: PacketSampleSet, _ world: DemuxWorld, passes: Int) -> Double {
        var sink: UInt64 = 0
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<passes {
            classifyAll(set, world) { delivery in
                if case .tenant(let session) = delivery { sink &+= session } else { sink &+= 1 }
            }
        }
        let elapsed = MonotonicClock.nanoseconds() - start
        if sink == 0 { Console.error("exobench demux: no frames classified") }
        return Double(elapsed) / Double(passes * set.count)
    }

    /// Classifies every frame of `set` in order, as the daemon's receive loop does one frame
    /// at a time (a PacketBytes view over borrowed memory, no copy).
    @inline(__always)
    static func classifyAll(_ set: PacketSampleSet, _ world: DemuxWorld, _ body: (Delivery) -> Void) {
        set.bytes.withUnsafeBytes { raw in
            for i in 0..<set.count {
                let frame = UnsafeRawBufferPointer(rebasing: raw[(i * BenchPackets.length)..<((i + 1) * BenchPackets.length)])
                body(Demultiplexer.classify(PacketBytes(unsafeBuffer: frame), plan: world.plan, bindings: world.bindings))
            }
        }
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
