// IPv4 options (RFC 791 §3.1): a strict walk of the option bytes after the fixed header,
// naming which kinds are present so that policy (the egress guard) can refuse some of them.

/// The kinds of option a well-formed options field carries.
public struct IPv4OptionKinds: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Loose or strict source and record route (LSRR, SSRR).
    public static let sourceRoute = IPv4OptionKinds(rawValue: 1 << 0)
    public static let recordRoute = IPv4OptionKinds(rawValue: 1 << 1)
    public static let timestamp = IPv4OptionKinds(rawValue: 1 << 2)
    /// Any other option with a type-length-value layout (router alert, security, ...).
    public static let other = IPv4OptionKinds(rawValue: 1 << 3)
}

/// The option types the walk knows by name.
public enum IPv4Option {
    public static let endOfList: UInt8 = 0
    public static let noOperation: UInt8 = 1
    public static let recordRoute: UInt8 = 0x07
    public static let timestamp: UInt8 = 0x44
    public static let looseSourceRoute: UInt8 = 0x83
    public static let strictSourceRoute: UInt8 = 0x89

    /// Walks `options` (the bytes between the fixed header and IHL × 4) and returns the kinds
    /// present. Malformed (throws `.malformed`): a length below 2 or past the field; route
    /// options shorter than 3 bytes or with a pointer below 4; a timestamp shorter than 4
    /// bytes or with a pointer below 5; two source routes; nonzero bytes after end-of-list
    /// (padding is zero, so nothing can hide there). These are the checks Linux's
    /// `ip_options_compile` makes, so a datagram the kernel would refuse is refused here too.
    public static func walk(_ options: PacketBytes) throws(PacketError) -> IPv4OptionKinds {
        var kinds: IPv4OptionKinds = []
        var offset = 0
        while offset < options.count {
            let type = options.u8(offset)
            if type == endOfList {
                for padding in (offset + 1)..<options.count where options.u8(padding) != 0 { throw .malformed }
                return kinds
            }
            if type == noOperation {
                offset += 1
                continue
            }
            guard offset + 1 < options.count else { throw .malformed }
            let length = Int(options.u8(offset + 1))
            guard length >= 2, length <= options.count - offset else { throw .malformed }
            let pointer = length >= 3 ? Int(options.u8(offset + 2)) : 0
            switch type {
            case looseSourceRoute, strictSourceRoute:
                guard length >= 3, pointer >= 4, !kinds.contains(.sourceRoute) else { throw .malformed }
                kinds.insert(.sourceRoute)
            case recordRoute:
                guard length >= 3, pointer >= 4 else { throw .malformed }
                kinds.insert(.recordRoute)
            case timestamp:
                guard length >= 4, pointer >= 5 else { throw .malformed }
                kinds.insert(.timestamp)
            default:
                kinds.insert(.other)
            }
            offset += length
        }
        return kinds
    }
}
