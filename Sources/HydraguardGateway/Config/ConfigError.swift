/// A configuration that cannot be used, naming the key (as a dotted path) and the line.
///
/// ```
/// hydraguard.yaml:12: tiers.free.requests_per_minute: expected a whole number >= 0, found "ten"
/// ```
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var line: Int?
    public var message: String

    public init(file: String, key: String, line: Int?, message: String) {
        self.file = file
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(key.isEmpty ? "(document)" : key): \(message)"
    }
}
