// The directory httpd serves: a request path becomes an open regular file only when its
// fully resolved path (symlinks followed) is still under the resolved root.

import ExoPlatform
import Glibc
import HTTPCore

struct ServedDirectory: Sendable {
    /// The root, resolved once at start.
    let root: String

    init(path: String) throws(SystemError) {
        root = try ReadOnlyFile.resolvedPath(path)
        guard try ReadOnlyFile(path: root).kind == .directory else {
            throw SystemError(operation: "serve \(path)", errno: ENOTDIR)
        }
    }

    /// The file a request path names, opened; for a directory, its `index.html` (as nginx's
    /// default `index`; there is no listing). `.notFound` (and nil) for anything missing,
    /// unreadable, not a regular file, or resolving outside the root.
    func open(_ path: RequestPath) -> (FileLookup, ReadOnlyFile?) {
        guard let resolved = try? ReadOnlyFile.resolvedPath(path.joined(under: root)),
            PathConfinement.contains(root: root, resolved: resolved),
            let file = try? ReadOnlyFile(path: resolved)
        else { return (.notFound, nil) }
        switch file.kind {
        case .regular:
            return (.file(name: path.segments.last ?? "", size: file.size), file)
        case .directory:
            // The index is confined like any path (it may be a symlink out of the root).
            guard let index = try? ReadOnlyFile.resolvedPath(resolved + "/index.html"),
                PathConfinement.contains(root: root, resolved: index),
                let indexFile = try? ReadOnlyFile(path: index), indexFile.kind == .regular
            else { return (.notFound, nil) }
            return (.file(name: "index.html", size: indexFile.size), indexFile)
        default:
            return (.notFound, nil)
        }
    }
}
