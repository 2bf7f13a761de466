// `exoctl impair`: sets (or with --off clears) the faults the daemon injects between the NIC
// and the tenants, for the link or one tenant, one direction or both.

import ArgumentParser
import ExoClient
import ExoPlatform
import ExoWire

struct ImpairCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "impair",
        abstract: "Inject loss, duplication, reordering, delay, corruption or a rate limit.",
        discussion: """
            Each call replaces the whole profile of the direction(s) it names: options not given are off.
            Percentages: 10 or 10%. Durations: 20ms, 500us, 1s (a bare number is ms). Rates: 10M, 100k.
            Examples:
              exoctl impair --loss 10%                      # the link, both directions
              exoctl impair --tenant web --direction to-tenants --delay 20ms --jitter 5ms
              exoctl impair --burst 1,30 --seed 7           # Gilbert-Elliott: enter 1%, leave 30%
              exoctl impair --off                           # the link's impairments off
            Counters: exoctl stats (rx.impair.* and tx.impair.*).
            """)

    @OptionGroup var options: ConnectionOptions

    @Option(help: "Impair this tenant's traffic only (replaces the link's for it); default: the link.")
    var tenant: String?

    @Option(help: "to-tenants, from-tenants or both.")
    var direction: String = "both"

    @Option(help: "Random loss per packet (percent).") var loss: String?
    @Option(help: "Burst loss ENTER,LEAVE[,LOSS_GOOD,LOSS_BAD] (percent).") var burst: String?
    @Option(help: "Duplication per packet (percent).") var duplicate: String?
    @Option(help: "Reordering per packet (percent): held back by --reorder-gap.") var reorder: String?
    @Option(name: .customLong("reorder-gap"), help: "How long a reordered packet is held back (default 1ms).")
    var reorderGap: String?
    @Option(help: "Fixed one-way delay.") var delay: String?
    @Option(help: "Uniform jitter around the delay (never reorders).") var jitter: String?
    @Option(help: "One flipped bit per packet (percent).") var corrupt: String?
    @Option(help: "Rate limit in bits per second (10M, 100k).") var rate: String?
    @Option(name: .customLong("queue-limit"), help: "Longest wait for the rate limit before a drop (default 50ms).")
    var queueLimit: String?
    @Option(help: "Seed of the random streams (the same seed repeats a run).") var seed: UInt64 = 1
    @Flag(help: "Turn the impairment of the named direction(s) off.") var off = false

    func run() async throws {
        let profile = try buildProfile()
        guard let way = Self.directions[direction] else {
            throw ValidationError("--direction: '\(direction)' is not to-tenants, from-tenants or both")
        }
        let session = try await options.attach()
        defer { session.close() }
        try await session.impair(tenant: tenant, direction: way, profile: profile, seed: seed)
        if options.json {
            Console.out(options.render(["impaired": true]))
        } else {
            Console.out("\(tenant.map { "tenant \($0)" } ?? "link"), \(direction): \(profile.isOff ? "off" : "impaired")")
        }
    }

    static let directions: [String: ImpairDirection] = [
        "to-tenants": .toTenants, "from-tenants": .fromTenants, "both": .both,
    ]

    func buildProfile() throws -> WireImpairmentProfile {
        var p = WireImpairmentProfile()
        if off { return p }
        func percent(_ text: String?, _ name: String) throws -> UInt32 {
            guard let text else { return 0 }
            guard let value = ImpairmentArguments.ppm(text) else { throw ValidationError("--\(name): '\(text)' is not a percentage 0...100") }
            return value
        }
        func duration(_ text: String?, _ name: String) throws -> UInt64 {
            guard let text else { return 0 }
            guard let value = ImpairmentArguments.nanoseconds(text) else { throw ValidationError("--\(name): '\(text)' is not a duration (20ms, 500us)") }
            return value
        }
        p.lossPPM = try percent(loss, "loss")
        if let burst, !ImpairmentArguments.burst(burst, into: &p) {
            throw ValidationError("--burst: '\(burst)' is not ENTER,LEAVE[,LOSS_GOOD,LOSS_BAD] in percent")
        }
        p.duplicatePPM = try percent(duplicate, "duplicate")
        p.reorderPPM = try percent(reorder, "reorder")
        p.reorderGapNanoseconds = try duration(reorderGap, "reorder-gap")
        p.delayNanoseconds = try duration(delay, "delay")
        p.jitterNanoseconds = try duration(jitter, "jitter")
        p.corruptPPM = try percent(corrupt, "corrupt")
        if let rate {
            guard let bps = ImpairmentArguments.bitsPerSecond(rate) else { throw ValidationError("--rate: '\(rate)' is not a rate (10M, 100k)") }
            p.rateBitsPerSecond = bps
        }
        p.queueLimitNanoseconds = try duration(queueLimit, "queue-limit")
        return p
    }
}
