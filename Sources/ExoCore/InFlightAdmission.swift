// The data path's answer for one frame a tenant posted on a ring: taken into flight, or
// refused because the session may not post it or because it is already in flight.

/// Outcome of `Arbiter.inFlight.admit(session:frame:)`.
public enum InFlightAdmission: Equatable, Sendable {
    /// The frame now has one in-flight reference, for this descriptor.
    case admitted
    /// The session holds no writable holding of the frame (or the frame is not in the pool).
    case notHeldWritable
    /// The session holds it writable, but the frame is on a ring already and not yet handed
    /// back: a second descriptor for it would make it come back twice.
    case alreadyInFlight
}
