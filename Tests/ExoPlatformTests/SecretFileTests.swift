// SecretFile: a key created once (mode 0600) and read back the same by every later run;
// files that someone else could have read or planted are refused.
import ExoPlatform
import Foundation
import Testing

@Suite struct SecretFileTests {
    @Test func theFirstCallCreatesAPrivateFileAndLaterCallsReadTheSameSecret() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("sequence-secret")
        let created = try SecretFile.loadOrCreate(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.size] as? Int) == 8)
        #expect(try SecretFile.loadOrCreate(path: path) == created)
        #expect(try SecretFile.loadOrCreate(path: path) == created)
        // Nothing but the file itself is left in the directory (no temporary).
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["sequence-secret"])
    }

    @Test func twoPathsGetDifferentSecrets() throws {
        let directory = try TemporaryDirectory()
        #expect(
            try SecretFile.loadOrCreate(path: directory.file("a")) != SecretFile.loadOrCreate(path: directory.file("b"))
        )
    }

    @Test func aFileOthersCanReadIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("shared")
        _ = try SecretFile.loadOrCreate(path: path)
        chmod(path, 0o644)
        #expect(throws: SystemError.self) { try SecretFile.loadOrCreate(path: path) }
    }

    @Test func aFileOfTheWrongSizeOrASymlinkIsRefused() throws {
        let directory = try TemporaryDirectory()
        let short = directory.file("short")
        #expect(
            FileManager.default.createFile(
                atPath: short, contents: Data([1, 2, 3]), attributes: [.posixPermissions: 0o600]))
        #expect(throws: SystemError.self) { try SecretFile.loadOrCreate(path: short) }
        let real = directory.file("real")
        _ = try SecretFile.loadOrCreate(path: real)
        let link = directory.file("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        #expect(throws: SystemError.self) { try SecretFile.loadOrCreate(path: link) }
    }
}
