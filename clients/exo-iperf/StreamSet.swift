// A test's data streams: each receiving stream read and counted as fast as it arrives, each
// sending stream written a block at a time, until the client's TEST_END. The counts are what
// the server reports to the client, so a stream's count moves only by bytes read or by whole
// blocks the connection took.

import ExOS
import ExoPlatform
import IperfCore
import Synchronization

/// One stream's byte count, shared between its task and the test's loop.
final class StreamCounter: Sendable {
    private let bytes = Atomic<UInt64>(0)
    func add(_ count: Int) { bytes.add(UInt64(count), ordering: .relaxed) }
    var value: UInt64 { bytes.load(ordering: .relaxed) }
}

struct StreamSet {
    /// How long a sending stream's last write may take to finish after TEST_END (the client
    /// keeps reading until the results); past that it is cancelled and its partial block
    /// not counted.
    static let stopGrace: Duration = .seconds(2)
    /// Bytes a receiving stream reads at once.
    static let readSize = 256 * 1024

    private var connections: [(TCPConnection, StreamAssignment)] = []
    private var counters: [StreamCounter] = []
    private var baseline: [UInt64] = []
    private var tasks: [(Task<Void, Never>, StreamRole)] = []
    private let stopping = StopFlag()
    private var measureStart: (wall: ContinuousClock.Instant, cpu: ProcessCPUTime)?

    mutating func add(_ connection: TCPConnection, _ assignment: StreamAssignment) {
        connections.append((connection, assignment))
        counters.append(StreamCounter())
    }

    /// Starts every stream; the measurement (bytes and CPU time) starts now.
    mutating func start(blockSize: Int, now: ContinuousClock.Instant) {
        var generator = SystemRandomNumberGenerator()
        // iperf3 sends random bytes by default; one block, written again and again.
        let block = (0..<blockSize).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for ((connection, assignment), counter) in zip(connections, counters) {
            let stopping = stopping
            let task: Task<Void, Never>
            switch assignment.role {
            case .receiving: task = Task { await Self.receive(connection, counter) }
            case .sending: task = Task { await Self.send(connection, block, counter, stopping) }
            }
            tasks.append((task, assignment.role))
        }
        baseline = counters.map { _ in 0 }
        measureStart = (now, ProcessCPUTime.now())
    }

    /// The omitted start is over: counting (and CPU time) starts again from here.
    mutating func markOmitEnd(now: ContinuousClock.Instant) {
        baseline = counters.map(\.value)
        measureStart = (now, ProcessCPUTime.now())
    }

    /// Stops every stream and returns each one's bytes since the measurement started, and
    /// the CPU use over that time.
    mutating func stop(now: ContinuousClock.Instant) async -> ([UInt64], CPUUtilization) {
        stopping.set()
        for (task, role) in tasks where role == .receiving { task.cancel() }
        let senders = tasks.filter { $0.1 == .sending }.map(\.0)
        let grace = Task {
            if (try? await Task.sleep(for: Self.stopGrace)) != nil { for task in senders { task.cancel() } }
        }
        for (task, _) in tasks { await task.value }
        grace.cancel()
        tasks = []
        var cpu = CPUUtilization(total: 0, user: 0, system: 0)
        if let (wall, before) = measureStart {
            let after = ProcessCPUTime.now()
            cpu = CPUUtilization(user: after.user - before.user, system: after.system - before.system, over: now - wall)
        }
        return (zip(counters, baseline).map { $0.value &- $1 }, cpu)
    }

    /// Closes every stream (one with unread bytes is reset, as on Linux).
    mutating func close() async {
        for (task, _) in tasks { task.cancel() }
        for (connection, _) in connections { await connection.close() }
        connections = []
    }

    private static func receive(_ connection: TCPConnection, _ counter: StreamCounter) async {
        while !Task.isCancelled {
            guard let bytes = try? await connection.read(maximumLength: readSize), !bytes.isEmpty else { return }
            counter.add(bytes.count)
        }
    }

    private static func send(_ connection: TCPConnection, _ block: [UInt8], _ counter: StreamCounter, _ stopping: StopFlag) async {
        while !stopping.isSet && !Task.isCancelled {
            do throws(NetworkError) {
                try await connection.write(block)
            } catch {
                return
            }
            counter.add(block.count)
        }
    }
}

/// Set once, read by the sending tasks between blocks.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
