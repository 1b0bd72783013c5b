/// A scenario that cannot be run: a malformed YAML file, an unknown key, or a value out of range.
/// The message names the file and the key (`campaigns[0].requests_per_day`).
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Code: Sendable, Hashable {
        case syntax, unknownKey, badValue, unknownPreset
    }

    fileprivate let code: Code
    /// The file the scenario came from (`<preset>` for built-in ones).
    public let file: String
    /// The key path of the offending value, when there is one.
    public let key: String?
    public let message: String

    private init(_ code: Code, file: String, key: String?, _ message: String) {
        self.code = code
        self.file = file
        self.key = key
        self.message = message
    }

    static func syntax(_ file: String, _ message: String) -> ScenarioError {
        ScenarioError(.syntax, file: file, key: nil, message)
    }

    static func unknownKey(_ file: String, _ key: String, allowed: [String]) -> ScenarioError {
        ScenarioError(.unknownKey, file: file, key: key, "unknown key (allowed here: \(allowed.joined(separator: ", ")))")
    }

    static func badValue(_ file: String, _ key: String, _ message: String) -> ScenarioError {
        ScenarioError(.badValue, file: file, key: key, message)
    }

    static func unknownPreset(_ name: String) -> ScenarioError {
        ScenarioError(
            .unknownPreset, file: "<preset>", key: nil,
            "unknown preset '\(name)' (known: \(Scenario.presetNames.joined(separator: ", ")))")
    }

    /// The file is not valid YAML, or not the scenario's shape.
    public static let syntax = Kind(code: .syntax)
    /// A key the scenario format does not have (most often a typo).
    public static let unknownKey = Kind(code: .unknownKey)
    /// A value of the right type but out of range or inconsistent.
    public static let badValue = Kind(code: .badValue)
    public static let unknownPreset = Kind(code: .unknownPreset)

    /// What went wrong, for matching: `error.kind == ScenarioError.badValue`.
    public struct Kind: Sendable, Hashable {
        fileprivate let code: Code
    }

    public var kind: Kind { Kind(code: code) }

    public var description: String {
        if let key { return "\(file): \(key): \(message)" }
        return "\(file): \(message)"
    }
}
