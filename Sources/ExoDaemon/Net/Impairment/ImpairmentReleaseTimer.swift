// The timerfd that wakes the loop when the impairment's earliest held copy is due
// (ImpairmentStage arms it after every release).

import ExoPlatform

/// The timerfd that wakes the loop when the earliest held copy is due.
final class ImpairmentReleaseTimer {
    let timer: TimerFD
    /// The time it is armed for, if any.
    private var armedFor: UInt64?

    init() throws(SystemError) { timer = try TimerFD() }

    /// Arms for `next` unless already armed no later; disarms-by-forgetting when nothing is held.
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
