// Visible revocation, the library OS's side: the daemon asks for frames back
// (`Event.revocationRequested`); the library OS chooses which to give (its idle buffers first:
// only it knows which those are), unrefs them and says it is done. Past the deadline the
// daemon takes frames itself and says which (`Event.repossessed`): mappings of those read
// zeros from then on, and the library OS must stop using them.

import ExoWire

extension ExoSession {
    /// Tells the daemon this tenant has given back what revocation `id` asked for; the answer
    /// says what the tenant holds now and whether that meets the revocation.
    public func revocationDone(id: UInt64) async throws(ExOSError) -> RevocationSettlement {
        try await channel.call(ControlCalls.revocationDone(id: id))
    }

    /// Takes back a grant this tenant issued that was redeemed: the redeemer is asked to give
    /// the frame up within `deadline` and loses it then if it has not. Once its holding ends,
    /// the frame's memory moves: this session gets `framesMoved` and must map the frame again
    /// (its mappings made before may still be shared with the old redeemer). Returns the
    /// revocation's id. `.noSuchGrant` unless `grant` was redeemed and its holding is live.
    public func revokeGrant(_ grant: GrantedToken, deadline: Duration = .milliseconds(2_000))
        async throws(ExOSError) -> UInt64
    {
        let millis = deadline.components.seconds * 1_000 + deadline.components.attoseconds / 1_000_000_000_000_000
        guard let wireMillis = UInt32(exactly: millis) else { throw .invalidRequest("deadline \(deadline) out of range") }
        return try await channel.call(ControlCalls.revokeGrant(tokenID: grant.tokenID, deadlineMillis: wireMillis))
    }

    /// Complies with a revocation: unrefs, of `candidates` (the frames this session can spare,
    /// most expendable first), as many as bring the tenant down to the notice's target (all
    /// of them if that is too few), then says it is done. `held` is what the tenant holds in
    /// all its sessions; by default the figure the daemon sent, which is right for a tenant
    /// with one session that has not allocated since. Returns the daemon's settlement: `met`
    /// false means the tenant still holds more than the target and the daemon will take the
    /// difference at the deadline.
    @discardableResult
    public func comply(
        with notice: RevocationNotice, giving candidates: [FrameNumber], held: UInt32? = nil
    ) async throws(ExOSError) -> RevocationSettlement {
        let holding = held ?? notice.held
        let owed = holding > notice.target ? Int(holding - notice.target) : 0
        var giving = Array(candidates.prefix(owed))
        while !giving.isEmpty {
            let batch = Array(giving.prefix(WireLimits.maxBatch))
            giving.removeFirst(batch.count)
            try await unref(batch)
        }
        return try await revocationDone(id: notice.id)
    }
}
