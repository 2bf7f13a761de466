// The error of every libnl call: which operation failed, libnl's error code and its text,
// taken right after the failing call (libnl returns negative NLE_* codes).
import CNetlink

/// A failed libnl (netlink) operation.
public struct NetlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done, e.g. `"set MTU of ifindex 7"`.
    public let operation: String
    /// libnl's error code (a positive NLE_* value, e.g. NLE_NODEV).
    public let code: Int32
    /// libnl's text for `code` (`nl_geterror`), e.g. "Object not found".
    public let message: String

    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code < 0 ? -code : code
        message = String(cString: nl_geterror(self.code))
    }

    /// The link (or address) the operation named does not exist (NLE_NODEV or
    /// NLE_OBJ_NOTFOUND): it was deleted, or never existed.
    public var isNotFound: Bool { code == NLE_NODEV || code == NLE_OBJ_NOTFOUND }

    /// E.g. `set MTU of ifindex 7: Invalid input data or parameter (libnl error 7)`.
    public var description: String { "\(operation): \(message) (libnl error \(code))" }

    /// Throws a NetlinkError when `result` is a negative libnl return; passes it through otherwise.
    @discardableResult
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(NetlinkError) -> Int32 {
        if result < 0 { throw NetlinkError(operation: operation(), code: result) }
        return result
    }
}
