// Specification of the descriptor-shaped event sources: eventfd counts signals, timerfd
// fires on CLOCK_MONOTONIC and can be disarmed, signalfd turns a raised signal into a record.
import ExoPlatform
import Glibc
import Testing

/// Waits up to `milliseconds` for `fd` to become readable.
private func waitReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
    var request = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&request, 1, milliseconds) == 1
}

@Suite struct EventFDTests {
    @Test func drainReturnsTheNumberOfSignalsThenZero() throws {
        let event = try EventFD()
        #expect(event.drain() == 0)
        event.signal()
        event.signal()
        event.signal()
        #expect(event.drain() == 3)
        #expect(event.drain() == 0)
    }

    @Test func theInitialValueIsReadableAtOnce() throws {
        let event = try EventFD(initial: 5)
        #expect(waitReadable(event.fd, milliseconds: 0))
        #expect(event.drain() == 5)
        #expect(isCloseOnExec(event.fd))
    }

    @Test func aBlockingEventFDIsBlocking() throws {
        let event = try EventFD(initial: 1, nonBlocking: false)
        #expect(fcntl(event.fd, F_GETFL) & O_NONBLOCK == 0)
        #expect(event.drain() == 1)
    }
}

@Suite struct TimerFDTests {
    @Test func anArmedTimerFiresWithinItsDeadline() throws {
        let timer = try TimerFD()
        #expect(timer.drain() == 0)
        timer.arm(initialNanoseconds: 2_000_000, intervalNanoseconds: 0)
        #expect(waitReadable(timer.fd, milliseconds: 2000))
        #expect(timer.drain() == 1)
        #expect(isCloseOnExec(timer.fd))
    }

    @Test func anIntervalTimerFiresRepeatedly() throws {
        let timer = try TimerFD()
        timer.arm(initialNanoseconds: 1_000_000, intervalNanoseconds: 1_000_000)
        usleep(30_000)
        #expect(timer.drain() >= 2)
        timer.disarm()
    }

    @Test func aDisarmedTimerDoesNotFire() throws {
        let timer = try TimerFD()
        timer.arm(initialNanoseconds: 20_000_000, intervalNanoseconds: 0)
        timer.disarm()
        #expect(waitReadable(timer.fd, milliseconds: 50) == false)
        #expect(timer.drain() == 0)
    }

    @Test func zeroInitialDelayFiresAtOnceInsteadOfDisarming() throws {
        let timer = try TimerFD()
        timer.arm(initialNanoseconds: 0, intervalNanoseconds: 0)
        #expect(waitReadable(timer.fd, milliseconds: 1000))
    }
}

@Suite struct SignalFDTests {
    // Synchronous on purpose: raise() signals the calling thread, which the SignalFD
    // blocked SIGUSR1 in, and next() reads on that same thread.
    @Test func aRaisedSIGUSR1IsReadAsItsNumber() throws {
        let signals = try SignalFD(signals: [SIGUSR1])
        #expect(signals.next() == nil)
        #expect(raise(SIGUSR1) == 0)
        #expect(signals.next() == SIGUSR1)
        #expect(signals.next() == nil)
        #expect(isCloseOnExec(signals.fd))
    }

    @Test func anInvalidSignalNumberIsRefused() {
        #expect(throws: SystemError(operation: "sigaddset", errno: EINVAL)) { try SignalFD(signals: [9999]) }
    }
}
