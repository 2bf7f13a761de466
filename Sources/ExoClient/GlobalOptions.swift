// Options a tool takes before or after its subcommand: `exoctl --json status` works like
// `exoctl status --json`, as `ip -j` and `systemctl` users type it.

/// Moves global options written before the subcommand to just after it, where the
/// subcommand's own parser (which declares them) reads them.
public enum GlobalOptions {
    /// Rewrites `arguments` (without the program name). `flags` take no value (`--json`);
    /// `valued` take one, as `--socket PATH` or `--socket=PATH`. Only options before the
    /// first argument that is none of these move; a value-taking option with its value
    /// missing is left in place for the parser to report. Arguments after `--` never move.
    public static func hoist(_ arguments: [String], flags: Set<String>, valued: Set<String>) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if flags.contains(argument) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading.append(contentsOf: arguments[index...index + 1])
                index += 2
            } else if let name = argument.split(separator: "=", maxSplits: 1).first, argument.contains("="),
                valued.contains(String(name))
            {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, arguments[index] != "--",
            !arguments[index].hasPrefix("-")
        else { return arguments }
        // The subcommand, then the hoisted options, then the rest.
        return [arguments[index]] + leading + arguments[(index + 1)...]
    }
}
