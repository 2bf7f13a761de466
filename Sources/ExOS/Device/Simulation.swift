// A deterministic simulation: N stacks on one simulated network, a virtual clock that
// jumps to the next thing due (a delivery or a stack's deadline), all in one thread. Any
// run is replayed exactly from the network's seed.

import ExoImpairment

/// Stacks on a ``SimulatedNetwork`` and the virtual clock that drives them.
public struct Simulation {
    /// The stacks, one per station, in the order of the configurations.
    public var stacks: [NetworkStack]
    /// The link that joins them.
    public let network: SimulatedNetwork
    private var ports: [SimulatedPort]
    /// The virtual clock: the time every stack was last driven at.
    public private(set) var now: Instant

    /// One station per configuration, every path impaired by `profile`, seeded by `seed`.
    public init(
        _ configurations: [StackConfiguration], profile: ImpairmentProfile = ImpairmentProfile(), seed: UInt64,
        start: Instant = .zero
    ) {
        let frameCapacity = configurations.map(\.maximumFrameLength).max() ?? 1514
        let network = SimulatedNetwork(
            stations: configurations.count, profile: profile, seed: seed, frameCapacity: frameCapacity)
        self.network = network
        stacks = configurations.map { NetworkStack(configuration: $0, now: start) }
        ports = (0..<configurations.count).map { network.port($0) }
        now = start
    }

    /// Lets every stack exchange frames at the current time until none moves.
    public mutating func settle() {
        var rounds = 0
        repeat {
            network.deliver(now: now)
            var moved = false
            for index in stacks.indices {
                let outcome = ports[index].poll(&stacks[index], now: now)
                moved = moved || outcome.didWork
            }
            rounds += 1
            if !moved { return }
        } while rounds < 10_000
    }

    /// When anything is next due: a delivery or a stack's deadline (nil: nothing ever).
    public var nextEventTime: Instant? {
        var earliest = network.nextDelivery
        for stack in stacks {
            if let deadline = stack.nextDeadline, earliest.map({ deadline < $0 }) ?? true { earliest = deadline }
        }
        return earliest
    }

    /// Settles now, then advances the clock to the next event and settles again. Returns
    /// false when nothing will ever happen again (the clock stays).
    @discardableResult
    public mutating func step() -> Bool {
        settle()
        guard let next = nextEventTime else { return false }
        if next > now { now = next }
        settle()
        return true
    }

    /// Moves the clock forward by `interval`, handling everything due on the way.
    public mutating func advance(by interval: Interval) {
        let end = now + interval
        settle()
        while let next = nextEventTime, next <= end {
            if next > now { now = next }
            settle()
        }
        now = end
        settle()
    }

    /// Runs until `condition` holds (checked after every step), or until `limit` of virtual
    /// time has passed, or nothing is left to happen. Returns whether `condition` held.
    @discardableResult
    public mutating func run(for limit: Interval, until condition: (inout Simulation) -> Bool) -> Bool {
        let end = now + limit
        settle()
        while !condition(&self) {
            guard let next = nextEventTime, next <= end else { return false }
            if next > now { now = next }
            settle()
        }
        return true
    }
}
