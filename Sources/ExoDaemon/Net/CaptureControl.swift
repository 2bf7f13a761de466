// Starting and ending captures: the operator's capture request (decode, then invoke), and
// the end events when a limit is reached, the tenant detaches or the operator leaves. The
// frames themselves are copied on the packet path by the capture table (CaptureTable.swift).

import ExoCore
import ExoWire

/// The control side of captures. Owned by the data plane (whose state holds the table the
/// packet path records into), on the loop thread. What belongs to the sessions — whether a
/// tenant is attached, the operator's socket — is passed in by the loop that owns them.
final class CaptureControl {
    let state: DataPlaneState

    init(state: DataPlaneState) { self.state = state }

    /// Answers a `capture` request of an operator session; nil for any other request.
    /// Refusals change nothing: unknown tenant, bad snap length, tenant not attached, full table.
    func start(_ request: Request, for session: ControlSession, sessions: SessionRegistry) -> Response? {
        guard case .capture(let name, let count, let snapLength) = request else { return nil }
        let limit = state.config.limits.captures
        guard let tenant = state.tenant(named: name) else {
            return Response(reply: .error(.unknownTenant, detail: "no tenant named '\(name)'"))
        }
        guard (1...UInt32(CaptureLimits.maxSnapLength)).contains(snapLength) else {
            return Response(reply: .error(.badSnapLength, detail: "snap length \(snapLength) not in 1...\(CaptureLimits.maxSnapLength)"))
        }
        guard sessions.hasSessions(tenant) else {
            return Response(reply: .error(.tenantNotAttached, detail: "tenant '\(name)' has no attached session"))
        }
        guard !state.captures.isFull else {
            return Response(reply: .error(.tooManyCaptures, detail: "\(CaptureTable.maxCaptures) captures running"))
        }
        guard state.captures.count(of: tenant) < limit else {
            state.countRefusal(.captures, tenant: tenant)
            return Response(reply: .error(.tooManyCaptures,
                detail: "tenant '\(name)' already has \(limit) captures (limits.captures)"))
        }
        let capture = state.captures.start(tenant: tenant, session: session, limit: count, snapLength: Int(snapLength))
        Log.info("session \(session.connectionID): capture \(capture.id) of tenant \(name) started (count \(count), snap length \(snapLength))")
        return Response(reply: .captureStarted(captureID: capture.id, snapLength: snapLength))
    }

    /// Sends the end event of every capture that reached its limit, and removes it. Runs
    /// after each batch of packets, off the packet path.
    func reportFinished(to connections: ControlConnections) {
        guard state.captures.hasFinished else { return }
        end(state.captures.remove { $0.finished }, reason: .countReached, to: connections)
    }

    /// Ends the captures of a tenant whose last session ended.
    func end(ofTenant tenant: TenantID, to connections: ControlConnections) {
        end(state.captures.remove { $0.tenant == tenant }, reason: .tenantDetached, to: connections)
    }

    /// Ends every capture before the daemon stops (each operator is told, if it reads in time).
    func endAll(to connections: ControlConnections) {
        end(state.captures.remove { _ in true }, reason: .daemonStopping, to: connections)
    }

    /// Drops the captures of an operator connection that is going away (nobody to tell).
    func drop(ofConnection id: UInt64) {
        for capture in state.captures.remove(where: { $0.session.connectionID == id }) {
            Log.info("capture \(capture.id) ended with its operator: \(capture.captured) frames sent, \(capture.lost) lost")
        }
    }

    private func end(_ captures: [Capture], reason: CaptureEndReason, to connections: ControlConnections) {
        for capture in captures {
            Log.info("capture \(capture.id) ended (\(reason)): \(capture.captured) frames sent, \(capture.lost) lost")
            let session = capture.session
            guard connections.sessions.isLive(session.connectionID) else { continue }
            connections.send(
                OutboundRecord(bytes: Records.encode(.event(capture.end(reason)), version: session.version), descriptors: []),
                to: session)
        }
    }
}
