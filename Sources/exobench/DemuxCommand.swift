// `exobench demux`: the cost per packet of the daemon's receive decision (the real
// Demultiplexer.classify over a real BindingTable) with 1, 100 and 10,000 bindings.

import ArgumentParser
import ExoCore
import ExoPlatform
import ExoWire
import Foundation

struct DemuxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demux",
        abstract: "Cost per packet of Demultiplexer.classify with 1, 100 and 10,000 bindings, hits and misses.",
        discussion: """
            No daemon is needed: the plan and the binding table are built in this process through \
            ExoCore's own API (every grant checked, as the daemon does at bind time), and the frames \
            are 60-byte Ethernet/IPv4/UDP or TCP frames. Each round times every (size, hits|misses) \
            pair once, in the same order, so drift hits all alike; per pair the median and spread of \
            ns/packet over rounds are reported, and the ratio of the largest size to 1.
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Binding counts to measure.")
    var sizes: [Int] = [1, 100, 10_000]

    @Option(name: .long, help: "Distinct frames per set (hits and misses each).")
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
        let worlds = try sizes.map { try DemuxWorld(bindings: $0, framesPerSet: frames, seed: 0x5EED) }
        var results: [(size: Int, kind: String, samples: Samples)] = []
        for size in sizes {
            for kind in ["hits", "misses"] { results.append((size, kind, Samples(name: "\(size) \(kind)", unit: "ns/packet"))) }
        }
        for world in worlds {  // warm up, and check every frame lands where it must
            try Self.check(world)
        }
        for _ in 0..<rounds {
            var index = 0
            for world in worlds {
                results[index].samples.values.append(Self.time(world.hits, world, passes: passes))
                results[index + 1].samples.values.append(Self.time(world.misses, world, passes: passes))
                index += 2
            }
        }
        let largest = sizes.max()!, smallest = sizes.min()!
        func median(_ size: Int, _ kind: String) -> Double {
            results.first { $0.size == size && $0.kind == kind }?.samples.median ?? 0
        }
        let hitRatio = median(largest, "hits") / median(smallest, "hits")
        let missRatio = median(largest, "misses") / median(smallest, "misses")
        if json {
            var measures: [[String: Any]] = []
            for (i, r) in results.enumerated() {
                var entry = r.samples.json
                entry["bindings"] = r.size
                entry["kind"] = r.kind
                entry["portBindings"] = worlds[i / 2].portBindings
                entry["addressBindings"] = worlds[i / 2].addressBindings
                measures.append(entry)
            }
            let object: [String: Any] = [
                "frames": frames, "passes": passes, "rounds": rounds, "measures": measures,
                "ratios": ["hits\(largest)Over\(smallest)": hitRatio, "misses\(largest)Over\(smallest)": missRatio],
                "aim": 1.5,
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            Console.out(String(decoding: data, as: UTF8.self))
            return
        }
        var lines = ["\(frames) frames per set, \(passes) passes per measurement, \(rounds) rounds"]
        lines.append(pad("BINDINGS", 10) + pad("(PORT/ADDR)", 14) + pad("FRAMES", 8) + pad("MEDIAN", 10, right: true)
            + pad("MIN", 10, right: true) + pad("MAX", 10, right: true) + "  ns/packet")
        for (i, r) in results.enumerated() {
            let w = worlds[i / 2]
            lines.append(pad("\(r.size)", 10) + pad("\(w.portBindings)/\(w.addressBindings)", 14) + pad(r.kind, 8)
                + pad(String(format: "%.1f", r.samples.median), 10, right: true)
                + pad(String(format: "%.1f", r.samples.minimum), 10, right: true)
                + pad(String(format: "%.1f", r.samples.maximum), 10, right: true))
        }
        lines.append(String(format: "hits %d:%d = %.3f, misses %d:%d = %.3f (aim: at most 1.5)", largest, smallest,
            hitRatio, largest, smallest, missRatio))
        Console.out(lines.joined(separator: "\n"))
    }

    /// Every hit must reach a tenant and every miss nobody; anything else is a broken set-up.
    static func check(_ world: DemuxWorld) throws {
        let delivered = deliveries(world.hits, world)
        guard delivered == world.hits.count else {
            throw DemuxSetupError("\(world.bindings.count) bindings: \(delivered) of \(world.hits.count) hits delivered")
        }
        let wrongly = deliveries(world.misses, world)
        guard wrongly == 0 else { throw DemuxSetupError("\(world.bindings.count) bindings: \(wrongly) misses delivered") }
    }

    /// Frames of `set` that `classify` gives to a tenant.
    static func deliveries(_ set: FrameSet, _ world: DemuxWorld) -> Int {
        var delivered = 0
        classifyAll(set, world) { if case .tenant = $0 { delivered += 1 } }
        return delivered
    }

    /// ns per packet of `passes` passes over `set`. The sessions returned are summed into a
    /// value the loop's result depends on, so the optimiser cannot drop the work.
    static func time(_ set: FrameSet, _ world: DemuxWorld, passes: Int) -> Double {
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
    static func classifyAll(_ set: FrameSet, _ world: DemuxWorld, _ body: (Delivery) -> Void) {
        set.bytes.withUnsafeBytes { raw in
            for i in 0..<set.count {
                let frame = UnsafeRawBufferPointer(rebasing: raw[(i * BenchFrames.length)..<((i + 1) * BenchFrames.length)])
                body(Demultiplexer.classify(PacketBytes(unsafeBuffer: frame), plan: world.plan, bindings: world.bindings))
            }
        }
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
