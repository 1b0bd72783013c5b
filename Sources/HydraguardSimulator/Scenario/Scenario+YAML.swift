import Yams

extension Scenario {
    /// Reads a scenario from YAML text, rejecting unknown keys and out-of-range values.
    ///
    /// ```swift
    /// let scenario = try Scenario.load(yaml: text, file: "attack.yaml")
    /// ```
    public static func load(yaml: String, file: String) throws(ScenarioError) -> Scenario {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: yaml) else {
                throw ScenarioError.syntax(file, "the file is empty")
            }
            node = composed
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw ScenarioError.syntax(file, "not valid YAML: \(error)")
        }
        try checkKeys(node, file: file)
        let scenario: Scenario
        do {
            scenario = try YAMLDecoder().decode(Scenario.self, from: node)
        } catch let error as DecodingError {
            throw describe(error, file: file)
        } catch {
            throw ScenarioError.syntax(file, "\(error)")
        }
        try scenario.validate(file: file)
        return scenario
    }

    /// The scenario as YAML, in the shape ``load(yaml:file:)`` reads.
    public func yaml() -> String {
        do {
            return try YAMLEncoder().encode(self)
        } catch {
            return "# could not encode the scenario: \(error)\n"
        }
    }

    static let topKeys = Set(CodingKeys.allKeys)
    static let populationKeys = ["archetype", "accounts", "groups"]
    static let campaignKeys = Campaign.CodingKeys.allKeys
    static let newModelKeys = ["name", "release_day"]

    private static func checkKeys(_ node: Node, file: String) throws(ScenarioError) {
        guard let map = node.mapping else { throw ScenarioError.syntax(file, "the top level must be a mapping") }
        try checkMapping(map, allowed: CodingKeys.allKeys, path: "", file: file)
        if let list = map["populations"]?.sequence {
            for (i, item) in list.enumerated() {
                guard let m = item.mapping else {
                    throw ScenarioError.badValue(file, "populations[\(i)]", "expected a mapping")
                }
                try checkMapping(m, allowed: populationKeys, path: "populations[\(i)].", file: file)
            }
        }
        if let list = map["campaigns"]?.sequence {
            for (i, item) in list.enumerated() {
                guard let m = item.mapping else {
                    throw ScenarioError.badValue(file, "campaigns[\(i)]", "expected a mapping")
                }
                try checkMapping(m, allowed: campaignKeys, path: "campaigns[\(i)].", file: file)
            }
        }
        if let m = map["new_model"]?.mapping {
            try checkMapping(m, allowed: newModelKeys, path: "new_model.", file: file)
        }
    }

    private static func checkMapping(
        _ map: Node.Mapping, allowed: [String], path: String, file: String
    ) throws(ScenarioError) {
        for (key, _) in map {
            let name = key.string ?? "\(key)"
            if !allowed.contains(name) { throw ScenarioError.unknownKey(file, path + name, allowed: allowed) }
        }
    }

    private static func describe(_ error: DecodingError, file: String) -> ScenarioError {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = ""
            for key in codingPath {
                if let i = key.intValue {
                    text += "[\(i)]"
                } else {
                    text += text.isEmpty ? key.stringValue : "." + key.stringValue
                }
            }
            return text.isEmpty ? "(top level)" : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            return ScenarioError.badValue(file, at, "required key is missing")
        case .typeMismatch(let type, let context):
            return ScenarioError.badValue(file, path(context.codingPath), "expected \(describe(type))")
        case .valueNotFound(let type, let context):
            return ScenarioError.badValue(file, path(context.codingPath), "expected \(describe(type)), found null")
        case .dataCorrupted(let context):
            return ScenarioError.badValue(file, path(context.codingPath), context.debugDescription)
        @unknown default:
            return ScenarioError.syntax(file, "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is [Int].Type: return "a list of integers"
        case is [String].Type: return "a list of strings"
        default: return "\(type)"
        }
    }
}

extension CodingKey where Self: CaseIterable {
    static var allKeys: [String] { allCases.map(\.stringValue) }
}
