// Starting and ending captures: the operator's capture request (decode, then invoke), and
// the end events when a limit is reached, the tenant detaches or the operator leaves.

import ExoCore
import ExoWire

extension Daemon {
    /// Answers a `capture` request of an operator session; nil for any other request.
    /// Refusals change nothing: unknown tenant, bad snap length, tenant not attached, full table.
    func handleCapture(_ request: Request, from session: ControlSession) -> Response? {
        guard case .capture(let name, let count, let snapLength) = request else { return nil }
        guard let index = config.tenants.firstIndex(where: { $0.name == name }) else {
            return Response(reply: .error(.unknownTenant, detail: "no tenant named '\(name)'"))
        }
        guard (1...UInt32(CaptureLimits.maxSnapLength)).contains(snapLength) else {
            return Response(reply: .error(.badSnapLength, detail: "snap length \(snapLength) not in 1...\(CaptureLimits.maxSnapLength)"))
        }
        let tenant = TenantID(index)
        guard hasSessions(tenant) else {
            return Response(reply: .error(.tenantNotAttached, detail: "tenant '\(name)' has no attached session"))
        }
        guard !dataPlane.captures.isFull else {
            return Response(reply: .error(.tooManyCaptures, detail: "\(CaptureTable.maxCaptures) captures running"))
        }
        guard dataPlane.captures.count(of: tenant) < config.limits.captures else {
            countRefusal(.captures, tenant: tenant)
            return Response(reply: .error(.tooManyCaptures,
                detail: "tenant '\(name)' already has \(config.limits.captures) captures (limits.captures)"))
        }
        let capture = dataPlane.captures.start(tenant: tenant, session: session, limit: count, snapLength: Int(snapLength))
        Log.info("session \(session.connectionID): capture \(capture.id) of tenant \(name) started (count \(count), snap length \(snapLength))")
        return Response(reply: .captureStarted(captureID: capture.id, snapLength: snapLength))
    }

    /// Sends the end event of every capture that reached its limit, and removes it. Runs
    /// after each batch of packets, off the packet path.
    func reportFinishedCaptures() {
        guard dataPlane.captures.hasFinished else { return }
        end(dataPlane.captures.remove { $0.finished }, reason: .countReached)
    }

    /// Ends the captures of a tenant whose last session ended.
    func endCaptures(ofTenant tenant: TenantID) {
        end(dataPlane.captures.remove { $0.tenant == tenant }, reason: .tenantDetached)
    }

    /// Ends every capture before the daemon stops (each operator is told, if it reads in time).
    func endAllCaptures() {
        end(dataPlane.captures.remove { _ in true }, reason: .daemonStopping)
    }

    /// Drops the captures of an operator connection that is going away (nobody to tell).
    func dropCaptures(ofConnection id: UInt64) {
        for capture in dataPlane.captures.remove(where: { $0.session.connectionID == id }) {
            Log.info("capture \(capture.id) ended with its operator: \(capture.captured) frames sent, \(capture.lost) lost")
        }
    }

    private func end(_ captures: [Capture], reason: CaptureEndReason) {
        for capture in captures {
            Log.info("capture \(capture.id) ended (\(reason)): \(capture.captured) frames sent, \(capture.lost) lost")
            let session = capture.session
            guard isLive(session.connectionID) else { continue }
            send(OutboundRecord(bytes: Records.encode(.event(capture.end(reason)), version: session.version), descriptors: []),
                to: session)
        }
    }
}
