// A private mkdtemp directory under /tmp for socket paths, removed with everything in it
// when the test that made it ends (also when it fails).
import Foundation

final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/exoplatform-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// A path inside the directory (not created).
    func file(_ name: String) -> String { path + "/" + name }
}
