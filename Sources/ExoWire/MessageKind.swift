// The kind table: one 16-bit code per request, reply and event. Requests are 0x01xx,
// replies 0x02xx, events 0x03xx; codes are stable and never reused (docs/PROTOCOL.md).

/// The `kind` field of the header: which message a body holds.
public enum MessageKind: UInt16, Sendable, CaseIterable {
    // Requests (client to daemon).
    case hello = 0x0100
    case allocate = 0x0101
    case allocateAny = 0x0102
    case unref = 0x0103
    case map = 0x0104
    case grant = 0x0105
    case redeem = 0x0106
    case ping = 0x0107
    case openDataPath = 0x0108
    case bind = 0x0109
    case unbind = 0x010A
    case installFilter = 0x010B
    case removeFilter = 0x010C
    case offers = 0x010D
    case revocationDone = 0x010E
    case revokeGrant = 0x010F
    // Operator requests.
    case status = 0x0180
    case tenants = 0x0181
    case frames = 0x0182
    case capabilities = 0x0183
    case bindings = 0x0184
    case stats = 0x0185
    case nic = 0x0186
    case filters = 0x0187
    case capture = 0x0188
    case impair = 0x0189
    case reload = 0x018A
    case revoke = 0x018B

    // Replies (daemon to client), each echoing its request's id.
    case helloAccepted = 0x0200
    case allocated = 0x0201
    case unreffed = 0x0203
    case mapped = 0x0204
    case granted = 0x0205
    case redeemed = 0x0206
    case pong = 0x0207
    case dataPathOpened = 0x0208
    case bound = 0x0209
    case unbound = 0x020A
    case filterInstalled = 0x020B
    case filterRemoved = 0x020C
    case offersReply = 0x020D
    case revocationSettled = 0x020E
    case grantRevocationStarted = 0x020F
    case statusReply = 0x0280
    case tenantsReply = 0x0281
    case framesReply = 0x0282
    case capabilitiesReply = 0x0283
    case bindingsReply = 0x0284
    case statsReply = 0x0285
    case nicReply = 0x0286
    case filtersReply = 0x0287
    case captureStarted = 0x0288
    case impaired = 0x0289
    case reloaded = 0x028A
    case revocationStarted = 0x028B
    case error = 0x02FF

    // Events (daemon to client, unsolicited, request id 0). `offer` and `tokenRevoked` are
    // no longer sent (offers are listed, `offersChanged` says when to look); their codes stay
    // reserved and decodable.
    case offer = 0x0301
    case tokenRevoked = 0x0302
    case dataPathFault = 0x0303
    case capturedFrame = 0x0304
    case captureEnded = 0x0305
    case offersChanged = 0x0306
    case grantsChanged = 0x0307
    case revocationRequested = 0x0308
    case repossessed = 0x0309
    case framesMoved = 0x030A

    /// Which of the three message families this kind belongs to.
    public var family: Family {
        switch rawValue >> 8 {
        case 0x01: .request
        case 0x02: .reply
        default: .event
        }
    }

    /// Requests, replies and events.
    public enum Family: Sendable { case request, reply, event }
}
