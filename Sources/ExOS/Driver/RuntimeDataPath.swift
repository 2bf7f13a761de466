// The data path a runtime runs on, set up for it: its frames allocated and mapped within the
// tenant's frame quota (in batches a request can carry), half posted on the fill ring as
// receive buffers and half kept as transmit buffers (the fill ring sized to hold its half),
// and the tenant's owned addresses bound whole, so their ARP and echo come to the stack.

import ExoWire

/// A session's data path, opened and provisioned for a `NetworkRuntime`.
struct RuntimeDataPath {
    let path: DataPath
    let info: DataPathInfo

    /// Opens `session`'s data path (which must not be open yet) with `options.frames` frames,
    /// never more than the quota: a tenant may run several programs, each with a share.
    static func open(session: ExoSession, options: NetworkOptions) async throws(NetworkError) -> RuntimeDataPath {
        do throws(ExOSError) {
            return try await provision(session: session, options: options)
        } catch {
            throw .setup("\(error)")
        }
    }

    /// `open`, with the session's failure as it is (a reattachment tells final from passing).
    static func provision(session: ExoSession, options: NetworkOptions) async throws(ExOSError) -> RuntimeDataPath {
        let count = min(options.frames, Int(session.info.frameQuota))
        guard count >= 2 else {
            throw .invalidRequest("a frame quota of \(count) leaves no room for receive and transmit buffers")
        }
        // A request carries at most `WireLimits.maxBatch` frames: allocate and map in batches.
        var frames: [MappedFrame] = []
        while frames.count < count {
            let batch = min(count - frames.count, WireLimits.maxBatch)
            let holdings = try await session.allocateAny(count: batch)
            frames += try await session.map(holdings.map(\.frame))
        }
        // Half the frames wait on the fill ring: it must have a slot for each.
        var ringCapacity = max(options.ringCapacity, 1)
        while ringCapacity < UInt32(frames.count / 2) { ringCapacity <<= 1 }
        let path = try await session.openDataPath(ringCapacity: ringCapacity)
        guard let info = path.info else { throw .protocolViolation("dataPathOpened without info") }
        let half = frames.count / 2
        do throws(DataPathError) {
            try path.postFill(Array(frames[..<half]))
            try path.addTransmitFrames(Array(frames[half...]))
        } catch {
            throw .protocolViolation("\(error)")
        }
        path.flush()
        for grant in info.addresses where grant.whole {
            try await session.bind(.whole(grant.address))
        }
        return RuntimeDataPath(path: path, info: info)
    }
}
