// Reads a small text file whole, with errors that name the file and say what failed: the one
// place the configuration code touches the file system (through ExoPlatform's SmallTextFile).

import ExoPlatform

/// Reads whole files of at most a given size into a String.
enum ConfigFileReader {
    static func readText(path: String, limit: Int) throws(ConfigError) -> String {
        do {
            return try SmallTextFile.read(path: path, limit: limit)
        } catch .tooLarge(let limit) {
            throw ConfigError(file: path, key: nil, message: "larger than \(limit) bytes; not a configuration file")
        } catch {
            throw ConfigError(file: path, key: nil, message: error.description)
        }
    }
}
