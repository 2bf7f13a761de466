// What a runtime tells its application about its session with the daemon: lost, back again
// (and what could not be restored), or given up for good.

import ExoPacket
import ExoWire

/// An event of `NetworkRuntime.events`.
public enum NetworkEvent: Sendable, Equatable, CustomStringConvertible {
    /// The session ended (the daemon stopped or restarted, or hung up); the runtime is
    /// attaching again. Sockets stay open; their calls wait.
    case daemonLost(ExOSError)
    /// A new session `sessionID` after `attempts` attempts: new rings, the bindings and
    /// filters installed again. `unrestored` lists the endpoints the new daemon refused
    /// (taken by another session meanwhile, no longer granted): their sockets stay open but
    /// receive nothing.
    case reattached(sessionID: UInt64, attempts: Int, unrestored: [WireEndpoint])
    /// No more attempts: the reason is final (a kick, or a refused hello: not permitted,
    /// unknown tenant), the time limit passed, or reattaching is off. The runtime stopped.
    case gaveUp(ExOSError)

    public var description: String {
        switch self {
        case .daemonLost(let why): "lost exokerneld (\(why)); attaching again"
        case .reattached(let id, let attempts, let unrestored):
            "attached again as session \(id) after \(attempts) attempt\(attempts == 1 ? "" : "s")"
                + (unrestored.isEmpty ? "" : "; not restored: \(unrestored.map(Self.name).joined(separator: ", "))")
        case .gaveUp(let why): "gave up on exokerneld: \(why)"
        }
    }

    private static func name(_ endpoint: WireEndpoint) -> String {
        let kind = [WireEndpoint.tcp: "tcp", WireEndpoint.udp: "udp", WireEndpoint.icmp: "echo"][endpoint.proto] ?? "address"
        return "\(kind) \(IPv4Address(rawValue: endpoint.address)):\(endpoint.port)"
    }
}
