// The one version of every exokernel binary: what `--version` prints, and the version of the
// Debian package scripts/package-deb.sh builds. Raise it here, together with a CHANGELOG.md
// entry of the same number (the package test checks that they agree).

public enum ExoVersion {
    /// The release, as `MAJOR.MINOR.PATCH` (semantic versioning; 0.x while the protocol may change).
    public static let number = "0.6.0"

    /// The line `TOOL --version` prints: the tool's name, a space and the version, as GNU tools
    /// do, so a script takes the last word.
    public static func line(for tool: String) -> String {
        "\(tool) \(number)"
    }
}
