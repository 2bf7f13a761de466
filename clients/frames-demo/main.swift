// frames-demo: a small real library-OS application. Attaches as a tenant, allocates and maps
// frames, writes and verifies a pattern, optionally shares frame 0 or redeems a token, exits.

import ExOS
import ExoVersion
import ExoPlatform
import ExoWire
import Glibc

/// Runs the demo; returns the process exit status.
func runDemo(_ options: DemoOptions) async -> ToolExitStatus {
    do throws(ExOSError) {
        let session = try await ExOS.attach(tenant: options.tenant, socketPath: options.socket)
        defer { session.close() }
        Console.out("attached as tenant \(options.tenant) (id \(session.info.tenantID)), session \(session.info.sessionID), frame size \(session.info.frameSize), quota \(session.info.frameQuota)")
        if let token = options.redeemToken {
            try await redeem(token, session: session)
        } else {
            try await allocateAndShare(options, session: session)
        }
        return .success
    } catch {
        Console.error("frames-demo: \(error)")
        return ToolExitStatus(error)
    }
}

func allocateAndShare(_ options: DemoOptions, session: ExoSession) async throws(ExOSError) {
    let holdings = try await session.allocateAny(count: options.count)
    let frames = holdings.map(\.frame)
    let mapped = try await session.map(frames)
    for frame in mapped {
        let pattern = Pattern.bytes(frame: frame.frame, tenant: options.tenant, length: frame.length)
        _ = frame.withUnsafeMutableBytes { raw in raw.copyBytes(from: pattern) }
        let intact = frame.withUnsafeBytes { raw in raw.elementsEqual(pattern) }
        guard intact else { throw .protocolViolation("frame \(frame.frame) did not keep the pattern written to it") }
    }
    for holding in holdings {
        Console.out("holds frame \(holding.frame) holding \(holding.holding) epoch \(holding.epoch) rights \(holding.rights) (pattern verified)")
    }
    if let audience = options.shareWith {
        let token = try await session.grant(frame: frames[0], rights: [.read], to: audience)
        Console.out("token \(token.hex) id \(token.tokenID) offers frame \(frames[0]) read-only to \(audience)")
    }
    if options.holdUntilEOF {
        Console.out("holding until end of input")
        Console.waitForEndOfInput()
    }
    for frame in mapped { frame.unmap() }
    let ended = try await session.unref(frames)
    Console.out("unreffed \(ended) frames")
}

func redeem(_ token: [UInt8], session: ExoSession) async throws(ExOSError) {
    let holding = try await session.redeem(token)
    Console.out("redeemed frame \(holding.frame) holding \(holding.holding) epoch \(holding.epoch) rights \(holding.rights)")
    let frame = try await session.map(holding.frame)
    Console.out("first bytes of frame \(holding.frame): \(Pattern.describePrefix(of: frame))")
    frame.unmap()
    try await session.unref([holding.frame])
    Console.out("unreffed 1 frames")
}

// --version before anything else, as ArgumentParser's tools do.
if CommandLine.arguments.dropFirst().contains("--version") {
    Console.out(ExoVersion.line(for: "frames-demo"))
    exit(ToolExitStatus.success.rawValue)
}
switch DemoOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let usage):
    Console.error("frames-demo: \(usage.message)\n\(DemoOptions.usage)")
    exit(ToolExitStatus.usage.rawValue)
case .success(let options):
    // Synchronous so far (no thread but this one): drop privileges, then start the async world.
    let identity = options.asUID.map { uid in (uid: uid, gid: options.asGID ?? TenantMain.primaryGroup(of: uid)) }
    TenantMain.run(name: "frames-demo", droppingTo: identity) { await runDemo(options) }
}
