// A counting semaphore for connections: the accept loop takes a slot before accepting and
// the connection's task gives it back, so at most `limit` are served at once.

actor ConnectionSlots {
    private let limit: Int
    private var inUse = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) { self.limit = limit }

    /// Takes a slot, waiting for one to be released when all are in use.
    func acquire() async {
        if inUse < limit {
            inUse += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Gives a slot back (to the first waiter, if any: it then holds it).
    func release() {
        if waiters.isEmpty {
            inUse -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
