// A timerfd that wakes the loop at the earliest of the deadlines it is armed for: when the
// impairment's earliest held copy is due (ImpairmentStage arms it after every release), when
// a tenant held back by its rate may send again (DataPathRates).

import ExoPlatform

/// A one-shot timerfd armed for the earliest deadline it is given.
final class DeadlineTimer {
    let timer: TimerFD
    /// The time it is armed for, if any.
    private var armedFor: UInt64?

    init() throws(SystemError) { timer = try TimerFD() }

    /// Arms for `next` unless already armed no later; nil (nothing waits) leaves it as it is.
    func arm(for next: UInt64?, now: UInt64) {
        guard let next else { return }
        if let armedFor, armedFor <= next, armedFor > now { return }
        armedFor = next
        timer.arm(initialNanoseconds: next > now ? next - now : 1, intervalNanoseconds: 0)
    }

    /// The timer fired: clears it so the next `arm` takes effect.
    func fired() {
        _ = timer.drain()
        armedFor = nil
    }
}
