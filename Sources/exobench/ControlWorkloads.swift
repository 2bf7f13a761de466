// The control-plane workloads of `exobench control`, each timed once per round and returning
// a rate: round trips, batched frame operations, and map+touch against the Linux mmap paths.

import ExOS
import ExoPlatform
import Glibc

struct ControlWorkloads {
    let session: ExoSession
    let iterations: Int
    let mapIterations: Int
    let batch: Int
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// (a0) ping: bare round trips per second (the floor under every request).
    func pings() async throws(ExOSError) -> Double {
        try await rate(operations: iterations) { () async throws(ExOSError) in
            for _ in 0..<iterations { try await session.ping() }
        }
    }

    /// (a) allocateAny(1) + unref(1), one frame per pair: pairs per second.
    func singleRoundTrips() async throws(ExOSError) -> Double {
        try await rate(operations: iterations) { () async throws(ExOSError) in
            for _ in 0..<iterations {
                let held = try await session.allocateAny(count: 1)
                try await session.unref(held.map(\.frame))
            }
        }
    }

    /// (b) allocateAny(batch) + unref(batch): frame operations (one alloc + unref each) per second.
    func batchedFrames() async throws(ExOSError) -> Double {
        try await rate(operations: iterations * batch) { () async throws(ExOSError) in
            for _ in 0..<iterations {
                let held = try await session.allocateAny(count: batch)
                try await session.unref(held.map(\.frame))
            }
        }
    }

    /// (c, ours) allocateAny(batch) + map + touch every page + unmap + unref: frames per second.
    func mappedFrames() async throws(ExOSError) -> Double {
        try await rate(operations: mapIterations * batch) { () async throws(ExOSError) in
            for _ in 0..<mapIterations {
                let frames = try await session.allocateAny(count: batch).map(\.frame)
                let mapped = try await session.map(frames)
                for frame in mapped {
                    _ = frame.withUnsafeMutableBytes { raw in
                        var offset = 0
                        while offset < raw.count {
                            raw[offset] = UInt8(truncatingIfNeeded: offset >> 12)
                            offset += pageSize
                        }
                    }
                    frame.unmap()
                }
                try await session.unref(frames)
            }
        }
    }

    /// (c, reference) one mmap(MAP_ANONYMOUS) of a whole batch's bytes + touch every page +
    /// munmap: frames per second. Linux at its best: one mapping call per batch.
    func linuxAnonymousMaps() throws(ExOSError) -> Double {
        try linuxAnonymous(bytesPerMapping: batch * Int(session.info.frameSize), mappingsPerBatch: 1)
    }

    /// (c, reference) mmap(MAP_ANONYMOUS) + touch + munmap of one frame's bytes at a time:
    /// frames per second. The per-page primitive, as the Appel–Li benchmarks use it.
    func linuxAnonymousFrames() throws(ExOSError) -> Double {
        try linuxAnonymous(bytesPerMapping: Int(session.info.frameSize), mappingsPerBatch: batch)
    }

    private func linuxAnonymous(bytesPerMapping: Int, mappingsPerBatch: Int) throws(ExOSError) -> Double {
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<(mapIterations * mappingsPerBatch) {
            guard let mapping = AnonymousMapping(length: bytesPerMapping) else {
                throw .mapFailed(frame: 0, SystemError(operation: "mmap anonymous", errno: errno))
            }
            mapping.touchPages(pageSize: pageSize)
            mapping.unmap()
        }
        return perSecond(mapIterations * batch, since: start)
    }

    private func rate(
        operations: Int, _ body: () async throws(ExOSError) -> Void
    ) async throws(ExOSError) -> Double {
        let start = MonotonicClock.nanoseconds()
        try await body()
        return perSecond(operations, since: start)
    }

    private func perSecond(_ operations: Int, since start: UInt64) -> Double {
        let elapsed = Double(MonotonicClock.nanoseconds() - start) / 1e9
        return elapsed > 0 ? Double(operations) / elapsed : 0
    }
}
