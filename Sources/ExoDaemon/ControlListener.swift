// The control socket's listener: accepting every pending connection without blocking, and
// staying out of a busy loop at the descriptor limit (one spare descriptor, freed to accept
// and refuse a connection at EMFILE).

import ExoPlatform

/// The bound control socket and its spare descriptor. Owned by the loop (one thread).
final class ControlListener {
    let socket: OwnedDescriptor
    let path: String
    /// Held open so that accept() can still take and refuse a connection at EMFILE.
    private var spare: OwnedDescriptor?

    /// Binds `path` (refusing one a live daemon serves, replacing a stale one).
    init(path: String) throws(DaemonStartError) {
        self.path = path
        socket = try ControlSocketPath.bindControlSocket(path)
        spare = OwnedDescriptor.openNullDevice()
    }

    /// Accepts every pending connection, each with the peer's credentials (a connection whose
    /// credentials cannot be read is closed).
    func acceptPending() -> [(OwnedDescriptor, PeerCredentials)] {
        var accepted: [(OwnedDescriptor, PeerCredentials)] = []
        while true {
            let connection: OwnedDescriptor?
            do {
                connection = try UnixSeqpacket.accept(socket.raw)
            } catch {
                if error.isOutOfDescriptors {
                    // accept4 reserves a descriptor before it looks for a connection, so EMFILE
                    // does not mean one is pending: stop once nothing was there to refuse.
                    guard refuseAtDescriptorLimit() else { return accepted }
                    continue
                }
                if error.isTransientAcceptFailure { continue }
                Log.warning("accept failed: \(error)")
                return accepted
            }
            guard let connection else { return accepted }
            guard let credentials = try? PeerIdentity.credentials(of: connection.raw) else {
                connection.close()
                continue
            }
            accepted.append((connection, credentials))
        }
    }

    /// At EMFILE the pending connection would wake epoll forever: free the spare descriptor,
    /// accept the connection and close it at once, then take the spare back.
    /// Returns whether a connection was taken (and refused).
    private func refuseAtDescriptorLimit() -> Bool {
        spare?.close()
        spare = nil
        let refused = (try? UnixSeqpacket.accept(socket.raw)).flatMap { $0 }
        refused?.close()
        spare = OwnedDescriptor.openNullDevice()
        if refused != nil { Log.warning("out of file descriptors: refused a control connection") }
        return refused != nil
    }

    /// Closes the listener and removes its socket file.
    func close() {
        socket.close()
        ControlSocketPath.remove(path)
    }
}
