// The three control-plane workloads of `exobench control`, each timed once per round and
// returning a rate: single round trips, batched frame operations, and map+touch against mmap.

import ExOS
import ExoPlatform
import Glibc

struct ControlWorkloads {
    let session: ExoSession
    let iterations: Int
    let mapIterations: Int
    let batch: Int
    let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

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

    /// (c, reference) mmap(MAP_ANONYMOUS) of the same bytes + touch every page + munmap: frames per second.
    func linuxAnonymousMaps() throws(ExOSError) -> Double {
        let bytes = batch * Int(session.info.frameSize)
        let start = MonotonicClock.nanoseconds()
        for _ in 0..<mapIterations {
            guard let mapping = AnonymousMapping(length: bytes) else {
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
