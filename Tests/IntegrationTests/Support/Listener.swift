// A command run on a thread of its own while the test goes on (a listening peer, say), its
// result collected at the end.

import Foundation

/// A command run on a thread of its own while the test goes on. Unchecked Sendable: `outcome`
/// is written once by the thread before `done` is signalled and read only after waiting on it.
final class Listener: @unchecked Sendable {
    private var outcome: Result<CommandResult, any Error>?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> CommandResult) {
        Thread { [self] in
            outcome = Result { try body() }
            done.signal()
        }.start()
    }

    func result() throws -> CommandResult {
        done.wait()
        return try outcome!.get()
    }
}
