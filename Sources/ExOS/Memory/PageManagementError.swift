// The closed set of ways page management fails.

import ExoPlatform

/// Why a ``PageManager`` call failed.
public enum PageManagementError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed (mprotect, userfaultfd, sigaction, pthread_create).
    case system(SystemError)
    /// Pages outside the region were named.
    case outOfRange(Range<Int>, pageCount: Int)
    /// `clean` or a dirty query on a manager made without dirty tracking.
    case notTrackingDirty
    /// The kernel does not offer what the mechanism needs (e.g. userfaultfd write protection).
    case unsupported(String)

    public var description: String {
        switch self {
        case .system(let error): "\(error)"
        case .outOfRange(let pages, let count): "pages \(pages) outside the region's 0..<\(count)"
        case .notTrackingDirty: "this page manager does not track dirty pages"
        case .unsupported(let what): "not supported here: \(what)"
        }
    }
}
