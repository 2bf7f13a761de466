// Specification of ConfigLoader: what a file decodes to, and the exact error (file, key path,
// reason) for syntax errors, unknown keys, wrong types and unrepresentable numbers.

import Foundation
import Testing

@testable import ExoDaemon

@Suite("ConfigLoader")
struct ConfigLoaderTests {
    typealias F = ConfigFixtures

    @Test func exampleConfigDecodesToTheDocumentedValues() throws {
        let config = try ConfigLoader.load(path: F.exampleConfigPath)
        #expect(config.socketPath == "/run/exokernel/exokerneld.sock")
        #expect(config.operatorGroup == .name("exokernel"))
        #expect(config.maxConnections == 256)
        #expect(config.maxConnectionsPerUID == 32)
        #expect(config.handshakeTimeoutMilliseconds == 2000)
        #expect(config.outboundQueueLimit == 64)
        #expect(config.allowRootTenants == false)
        #expect(config.frameCount == 4096)
        #expect(config.frameSize == 4096)
        #expect(
            config.tenants == [
                TenantConfig(name: "alice", uids: [60001], gids: [], frameQuota: 1024),
                TenantConfig(name: "bob", uids: [60002], gids: [], frameQuota: 1024),
            ])
        #expect(config.tenant(1)?.name == "bob")
        #expect(config.tenant(2) == nil)
    }

    @Test func absentKeysTakeTheirDefaults() throws {
        let config = try ConfigLoader.parse("", file: "empty.toml")
        #expect(config == DaemonConfig())
        #expect(config.socketPath == DaemonConfig.defaultSocketPath)
        #expect(config.operatorGroup == nil)
        #expect(config.tenants.isEmpty)
    }

    @Test func syntaxErrorNamesTheFileAndLine() {
        let error = F.parseError("[daemon]\nmax_connections = = 3\n", file: "/etc/exokernel/bad.toml")
        #expect(error?.file == "/etc/exokernel/bad.toml")
        #expect(error?.key == nil)
        #expect(error?.description.hasPrefix("/etc/exokernel/bad.toml: line 2, column ") == true)
    }

    @Test func duplicateKeyIsASyntaxError() {
        let error = F.parseError("[frames]\ncount = 1\ncount = 2\n")
        #expect(error?.description.hasPrefix("test.toml: line 3") == true)
    }

    @Test func nulEscapeIsRefusedRatherThanCuttingAValueShort() {
        #expect(
            F.parseError("[daemon]\nsocket = \"/run/a\\u0000b.sock\"\n")?.description
                == "test.toml: line 2, column 17: the escape for a NUL character is not allowed")
        #expect(F.parseError("[daemon]\nsocket = \"/run/a\0b\"\n")?.description
            == "test.toml: contains a NUL byte; not a TOML file")
    }

    @Test("a table header that does not start with a key is refused with its position")
    func tableHeaderWithoutAKeyIsRefusedWithItsPosition() throws {
        for (text, column) in [("[/frames]\n", 2), ("[[ =tenant]]\n", 4), ("[\n", 2), ("  [\t#x]\n", 5)] {
            #expect(
                F.parseError("[frames]\ncount = 16\n" + text)?.description
                    == "test.toml: line 3, column \(column): expected a table name after '['")
        }
        // A quoted name is a name; an empty one is not.
        #expect(try ConfigLoader.parse("[\"frames\"]\ncount = 16\n", file: "t").frameCount == 16)
        #expect(F.parseError("[]\n")?.description == "test.toml: line 1, column 2: a table name cannot be blank")
    }

    @Test("dates and times are refused where they start: no key takes one")
    func datesAndTimesAreRefusedWithTheirPosition() {
        for value in ["1979-05-27T!7:32:00Z", "1979-05-27T07:32:00Z", "1979-05-27", "07:32:00", "1979-05-27 07:32:00"] {
            #expect(
                F.parseError("[frames]\ncount = 16\nx = \(value)\n")?.description
                    == "test.toml: line 3, column 5: dates and times are not accepted here: no key takes one")
        }
    }

    @Test("the inputs on which the previous parser (toml++) aborted the process are refused with their position")
    func inputsThatAbortedTomlPlusPlusAreRefused() {
        #expect(
            F.parseError("a = { b = { c = [ [1,  } ]1, }\n")?.description
                == "test.toml: line 1, column 24: expected a value")
        #expect(
            F.parseError("[/rames]\ncount = 0\n")?.description
                == "test.toml: line 1, column 2: expected a table name after '['")
        #expect(
            F.parseError("a = { b = { c = [ [1, 2], [3.5, \"x\"], { d = 1979-05-27T!7:32:00Z } ] } }\n")?.description
                == "test.toml: line 1, column 45: dates and times are not accepted here: no key takes one")
    }

    @Test func unknownTenantKeyIsRefusedWithAHint() {
        let text = F.file(tenants: "[[tenant]]\nname = \"alice\"\nuids = [60001]\nfram_quota = 10\n")
        #expect(
            F.parseError(text)?.description
                == "test.toml: tenant[0].fram_quota: unknown key 'fram_quota'; did you mean 'frame_quota'?")
    }

    @Test func unknownTableIsRefused() {
        let error = F.parseError("[disk]\nname = \"sda\"\n")
        #expect(error?.key == "disk")
        #expect(error?.message == "unknown key 'disk'; expected one of: daemon, frames, limits, tenant, nic, impairment, metrics")
    }

    @Test func unknownDaemonKeyIsRefused() {
        #expect(F.parseError(F.file(daemon: "max_conections = 3"))?.key == "daemon.max_conections")
    }

    @Test func stringWhereAnIntegerBelongsNamesBothTypes() {
        #expect(
            F.parseError(F.file(frames: "count = \"4096\""))?.description
                == "test.toml: frames.count: expected an integer, got a string")
    }

    @Test func wrongTypeInsideAnArrayNamesTheElement() {
        let text = F.file(tenants: "[[tenant]]\nname = \"a\"\nuids = [60001, \"bob\"]\nframe_quota = 1\n")
        #expect(
            F.parseError(text)?.description == "test.toml: tenant[0].uids[1]: expected an integer, got a string")
    }

    @Test func otherWrongTypes() {
        #expect(
            F.parseError(F.file(daemon: "allow_root_tenants = 1"))?.description
                == "test.toml: daemon.allow_root_tenants: expected a boolean, got an integer")
        #expect(
            F.parseError(F.file(daemon: "socket = 5"))?.description
                == "test.toml: daemon.socket: expected a string, got an integer")
        #expect(
            F.parseError(F.file(frames: "count = 1.5"))?.message
                == "expected an integer, got a floating-point number")
        #expect(F.parseError("daemon = 3\n")?.description == "test.toml: daemon: expected a table, got an integer")
    }

    @Test func tenantMustBeAnArrayOfTables() {
        #expect(
            F.parseError("[tenant]\nname = \"a\"\n")?.description
                == "test.toml: tenant: expected an array of tables ([[tenant]]), got a table")
    }

    @Test func negativeOrHugeIdsDoNotFitAUInt32() {
        let negative = F.file(tenants: "[[tenant]]\nname = \"a\"\nuids = [-1]\nframe_quota = 1\n")
        #expect(
            F.parseError(negative)?.description == "test.toml: tenant[0].uids[0]: must be between 0 and 4294967295")
        #expect(F.parseError(F.file(frames: "count = 4294967296"))?.key == "frames.count")
    }

    @Test func tenantNeedsANameAndAQuota() {
        #expect(
            F.parseError(F.file(tenants: "[[tenant]]\nuids = [1000]\nframe_quota = 1\n"))?.key == "tenant[0].name")
        #expect(
            F.parseError(F.file(tenants: "[[tenant]]\nname = \"a\"\nuids = [1000]\n"))?.key
                == "tenant[0].frame_quota")
    }

    @Test func operatorGroupIsANameOrAGid() throws {
        #expect(try ConfigLoader.parse(F.file(daemon: "operator_group = 1001"), file: "t").operatorGroup == .gid(1001))
        #expect(
            try ConfigLoader.parse(F.file(daemon: "operator_group = \"1001\""), file: "t").operatorGroup == .gid(1001))
        #expect(
            try ConfigLoader.parse(F.file(daemon: "operator_group = \"wheel\""), file: "t").operatorGroup
                == .name("wheel"))
        #expect(
            F.parseError(F.file(daemon: "operator_group = true"))?.description
                == "test.toml: daemon.operator_group: expected a group name or a numeric gid, got a boolean")
    }

    @Test func missingFileIsAnErrorNamingIt() {
        let path = "/nonexistent-exokernel-dir/exokerneld.toml"
        #expect(throws: ConfigError(file: path, key: nil, message: "cannot open: No such file or directory (errno 2)")) {
            try ConfigLoader.load(path: path)
        }
    }

    @Test func directoryIsNotAConfigurationFile() {
        #expect(throws: ConfigError(file: "/tmp", key: nil, message: "not a regular file")) {
            try ConfigLoader.load(path: "/tmp")
        }
    }

    @Test func loadReadsTheFileItIsGiven() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("exokerneld-config-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).toml").path
        try F.file(frames: "count = 77\nsize = 8192").write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try ConfigLoader.load(path: path)
        #expect(config.frameCount == 77)
        #expect(config.frameSize == 8192)
    }

    @Test func socketOverrideReplacesOnlyTheSocketPath() {
        let config = F.config()
        let overridden = config.withSocketOverride(from: ["EXOKERNEL_SOCKET": "/tmp/test.sock", "HOME": "/root"])
        #expect(overridden.socketPath == "/tmp/test.sock")
        var expected = config
        expected.socketPath = "/tmp/test.sock"
        #expect(overridden == expected)
        #expect(config.withSocketOverride(from: [:]) == config)
        #expect(config.withSocketOverride(from: ["EXOKERNEL_SOCKET": ""]) == config)
    }

    @Test func overriddenSocketIsValidatedLikeAConfiguredOne() {
        let overridden = F.config().withSocketOverride(from: ["EXOKERNEL_SOCKET": "relative.sock"])
        #expect(F.errors(overridden) == ["test.toml: daemon.socket: 'relative.sock' must be an absolute path"])
    }
}
