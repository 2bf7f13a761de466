// Where the built executables are: beside the test bundle, in SwiftPM's bin directory.

import Foundation

enum BuildProducts {
    /// The directory holding exokerneld, exoctl, frames-demo and exo-testclient.
    static let directory: URL = {
        if let override = ProcessInfo.processInfo.environment["EXOKERNEL_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        // The test runner is .build/<triple>/debug/exokernelPackageTests.xctest (or inside it).
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("exokerneld").path) {
                return url
            }
        }
        // Fall back to the conventional path from the repository root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug")
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
}
