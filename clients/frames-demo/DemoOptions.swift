// The frames-demo command line, parsed by hand (the demo links only ExOS): which tenant,
// which socket, how many frames, whom to share with, a token to redeem, whose uid to run as.

import ExOS

struct DemoOptions {
    var tenant = ""
    var socket: String?
    var count = 4
    var shareWith: String?
    var redeemToken: [UInt8]?
    var asUID: UInt32?
    var asGID: UInt32?
    var holdUntilEOF = false

    static let usage = """
        usage: frames-demo --tenant NAME [--socket PATH] [--count K] [--share-with TENANT] [--hold]
                           [--as-uid UID [--as-gid GID]]
               frames-demo --tenant NAME --redeem HEX [--socket PATH] [--as-uid UID [--as-gid GID]]
               frames-demo --version
          Allocates K frames (default 4), maps them, writes and checks a pattern, prints the holdings,
          optionally grants frame 0 read-only to TENANT (printing the token hex), then unrefs.
          --hold waits for end of standard input before unref, so the token stays redeemable.
          --redeem redeems a token, maps its frame read-only and prints its first bytes.
          --as-uid/--as-gid drop root to that uid/gid before connecting (gid defaults to the uid's group).
        """

    /// Parses `arguments` (without the program name); nil with a reason on any error.
    static func parse(_ arguments: [String]) -> Result<DemoOptions, UsageError> {
        var options = DemoOptions()
        var rest = arguments[...]
        func value(_ flag: String) -> Result<String, UsageError> {
            guard let next = rest.popFirst() else { return .failure(UsageError("\(flag) needs a value")) }
            return .success(next)
        }
        func number<N: FixedWidthInteger>(_ flag: String, _: N.Type) -> Result<N, UsageError> {
            value(flag).flatMap { text in
                N(text).map { .success($0) } ?? .failure(UsageError("\(flag): not a number: \(text)"))
            }
        }
        do throws(UsageError) {
            while let flag = rest.popFirst() {
                switch flag {
                case "--tenant": options.tenant = try value(flag).get()
                case "--socket": options.socket = try value(flag).get()
                case "--count": options.count = try number(flag, Int.self).get()
                case "--share-with": options.shareWith = try value(flag).get()
                case "--redeem":
                    let text = try value(flag).get()
                    guard let token = Hex.decode(text), !token.isEmpty else { throw UsageError("--redeem: not hexadecimal") }
                    options.redeemToken = token
                case "--as-uid": options.asUID = try number(flag, UInt32.self).get()
                case "--as-gid": options.asGID = try number(flag, UInt32.self).get()
                case "--hold": options.holdUntilEOF = true
                default: throw UsageError("unknown argument \(flag)")
                }
            }
        } catch {
            return .failure(error)
        }
        if options.tenant.isEmpty { return .failure(UsageError("--tenant is required")) }
        if options.count < 1 { return .failure(UsageError("--count must be at least 1")) }
        if options.asGID != nil && options.asUID == nil { return .failure(UsageError("--as-gid needs --as-uid")) }
        return .success(options)
    }
}

struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
