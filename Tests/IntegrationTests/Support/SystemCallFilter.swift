// The system calls a unit's SystemCallFilter= lines allow, as this machine's systemd expands
// them (`systemd-analyze syscall-filter`), and the calls a strace log shows a process making.

import Foundation

struct SystemCallFilter {
    /// Every system call the filter lets through.
    let names: Set<String>

    /// The filter of `systemd/NAME`: an allow list (the first line, plus @default, which
    /// systemd always allows), then each later line adds (`NAMES`) or takes away (`~NAMES`).
    init(unit name: String) throws {
        let text = try String(
            contentsOf: ServiceUnitSandbox.repositoryRoot.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
        guard let lines = ServiceUnitSandbox.serviceKeys(text)["SystemCallFilter"], let first = lines.first,
            !first.hasPrefix("~")
        else { throw HarnessError("\(name): SystemCallFilter= does not start with an allow list") }
        let groups = try Self.groups()
        var allowed = Self.expand(["@default"], groups)
        for line in lines {
            let denies = line.hasPrefix("~")
            let names = Self.expand(line.dropFirst(denies ? 1 : 0).split(separator: " ").map(String.init), groups)
            if denies { allowed.subtract(names) } else { allowed.formUnion(names) }
        }
        names = allowed
    }

    /// `systemd-analyze syscall-filter`: each group and its members (calls and other groups).
    static func groups() throws -> [String: [String]] {
        let listing = try runCommand("/usr/bin/systemd-analyze", ["syscall-filter"])
        guard listing.status == 0 else { throw HarnessError("systemd-analyze syscall-filter: \(listing.stderr)") }
        var groups: [String: [String]] = [:]
        var current: String?
        for raw in listing.stdout.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if !raw.hasPrefix(" ") { current = line.hasPrefix("@") ? line : nil; continue }
            if let current { groups[current, default: []].append(line) }
        }
        return groups
    }

    /// Group names replaced by their members, recursively.
    static func expand(_ items: [String], _ groups: [String: [String]]) -> Set<String> {
        var result: Set<String> = []
        var pending = items
        var seen: Set<String> = []
        while let item = pending.popLast() {
            if item.hasPrefix("@") {
                if seen.insert(item).inserted { pending += groups[item] ?? [] }
            } else {
                result.insert(item)
            }
        }
        return result
    }

    /// The system calls a `strace -f -o FILE` log shows, from the execve of `executable` on
    /// (what the launcher ran before it is not the daemon's).
    static func calls(inTrace path: String, after executable: String) throws -> Set<String> {
        let log = try String(contentsOfFile: path, encoding: .utf8)
        var started = false
        var calls: Set<String> = []
        for line in log.split(separator: "\n") {
            // "PID  name(args) = result", or "PID  <... name resumed>...".
            let rest = line.drop { $0.isNumber }.drop { $0 == " " }
            if !started {
                started = rest.hasPrefix("execve(\"\(executable)\"")
                continue
            }
            let name = rest.hasPrefix("<... ") ? rest.dropFirst(5).prefix { $0 != " " } : rest.prefix { $0 != "(" }
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) { calls.insert(String(name)) }
        }
        guard started else { throw HarnessError("no execve of \(executable) in \(path)") }
        return calls
    }
}
