// The server's one rule across tests (as iperf3's): one test at a time. A connection whose
// cookie arrives while a test runs is offered to that test (its stream, or refused as
// busy); otherwise it is the control connection of a new test.

import ExOS
import IperfCore

actor IperfServer {
    private var current: (run: TestRun, task: Task<SessionOutcome, Never>)?
    private var firstStatus: CheckedContinuation<Int32, Never>?
    private var firstEnded: Int32?

    /// A connection that sent `cookie`.
    func arrived(_ connection: TCPConnection, cookie: TestCookie) async {
        while let current {
            if current.run.offer(connection, cookie: cookie) { return }
            // The test is ending (it takes no more connections): once it has, this one may
            // start the next test, as it would from iperf3's listen queue.
            _ = await current.task.value
            if self.current?.run === current.run { self.current = nil }
        }
        let run = TestRun(control: connection, cookie: cookie)
        let task = Task { await run.run() }
        current = (run, task)
        Task {
            let outcome = await task.value
            self.ended(run, outcome: outcome)
        }
    }

    /// With -1: the exit status after the first test (0 if it completed).
    func firstTestStatus() async -> Int32 {
        if let firstEnded { return firstEnded }
        return await withCheckedContinuation { firstStatus = $0 }
    }

    private func ended(_ run: TestRun, outcome: SessionOutcome) {
        if current?.run === run { current = nil }
        let status: Int32
        if case .completed = outcome { status = 0 } else { status = 1 }
        if firstEnded == nil {
            firstEnded = status
            firstStatus?.resume(returning: status)
            firstStatus = nil
        }
    }
}
