// Specification of global options before the subcommand: moved after it, values kept with
// their options, everything else untouched.

import ExoClient
import Testing

@Suite struct GlobalOptionsTests {
    func hoist(_ line: String) -> String {
        GlobalOptions.hoist(line.split(separator: " ").map(String.init), flags: ["--json"], valued: ["--socket"])
            .joined(separator: " ")
    }

    @Test func optionsBeforeTheSubcommandMoveAfterIt() {
        #expect(hoist("--json status") == "status --json")
        #expect(hoist("--socket /run/x.sock --json tenants --tenant a") == "tenants --socket /run/x.sock --json --tenant a")
        #expect(hoist("--socket=/run/x.sock frames") == "frames --socket=/run/x.sock")
    }

    @Test func argumentsAlreadyInPlaceAreUntouched() {
        #expect(hoist("status --json") == "status --json")
        #expect(hoist("capture --tenant a --count 5") == "capture --tenant a --count 5")
        #expect(hoist("--help") == "--help")
        #expect(hoist("") == "")
    }

    @Test func aMissingValueOrAnUnknownOptionIsLeftForTheParserToReport() {
        #expect(hoist("--socket") == "--socket")
        #expect(hoist("--json --bogus status") == "--json --bogus status")
        #expect(hoist("--json") == "--json")
    }
}
