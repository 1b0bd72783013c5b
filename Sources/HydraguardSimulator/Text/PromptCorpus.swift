import Foundation

/// Real prompts from a file, for honest users' text instead of the built-in grammar (`simulate --prompts`).
///
/// Reads ShareGPT-style JSON (every `"from": "human"` turn's `"value"`, object by object, so a file cut off
/// mid-record still loads), JSON Lines (each line a string, or an object with `prompt`, `text`, `value` or
/// `instruction`; HumanEval's `HumanEval.jsonl` once gunzipped), or plain text (one prompt a line).
/// Prompts are cut to 4,000 characters, as producers commonly keep.
///
/// ```swift
/// let corpus = try PromptCorpus.load(path: ".cache/ShareGPT_V3_unfiltered_cleaned_split.json")
/// let simulation = try Simulation(scenario: .preset("small"), prompts: corpus)
/// ```
public struct PromptCorpus: Sendable {
    public let prompts: [String]

    public init(prompts: [String]) {
        self.prompts = prompts.filter { !$0.isEmpty }.map { $0.count > 4_000 ? String($0.prefix(4_000)) : $0 }
    }

    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Loads at most `limit` prompts from the file.
    public static func load(path: String, limit: Int = 200_000) throws -> PromptCorpus {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(description: "\(path): cannot read the prompt corpus")
        }
        let bytes = [UInt8](data)
        var prompts: [String] = []
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } ?? 0
        if bytes.count > start, bytes[start] == UInt8(ascii: "[") {
            prompts = shareGPT(bytes, limit: limit)
        } else if bytes.count > start, bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "\"") {
            for line in bytes.split(separator: 0x0A) where prompts.count < limit {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
                else { continue }
                if let text = object as? String {
                    prompts.append(text)
                } else if let dict = object as? [String: Any] {
                    for key in ["prompt", "text", "value", "instruction"] {
                        if let text = dict[key] as? String {
                            prompts.append(text)
                            break
                        }
                    }
                }
            }
        } else {
            for line in bytes.split(separator: 0x0A) where prompts.count < limit {
                prompts.append(String(decoding: line, as: UTF8.self))
            }
        }
        let corpus = PromptCorpus(prompts: prompts)
        guard !corpus.prompts.isEmpty else {
            throw LoadError(description: "\(path): no prompts found (expected ShareGPT JSON, JSON Lines or text)")
        }
        return corpus
    }

    /// Every human turn of a ShareGPT dump, scanning for `"from": "human"` then its `"value"` string.
    static func shareGPT(_ bytes: [UInt8], limit: Int) -> [String] {
        let human = Array("\"human\"".utf8)
        let value = Array("\"value\"".utf8)
        var prompts: [String] = []
        var i = 0
        func find(_ needle: [UInt8], from: Int) -> Int? {
            guard needle.count <= bytes.count else { return nil }
            var j = from
            while j + needle.count <= bytes.count {
                if bytes[j] == needle[0] && bytes[j..<(j + needle.count)].elementsEqual(needle) { return j }
                j += 1
            }
            return nil
        }
        while prompts.count < limit, let h = find(human, from: i), let v = find(value, from: h + human.count) {
            var j = v + value.count
            while j < bytes.count, bytes[j] == 0x20 || bytes[j] == 0x3A { j += 1 }
            guard j < bytes.count, bytes[j] == 0x22 else {
                i = j
                continue
            }
            guard let (text, end) = decodeString(bytes, from: j) else { break }
            prompts.append(text)
            i = end
        }
        return prompts
    }

    /// Decodes the JSON string literal starting at the quote at `start`; nil when cut off.
    static func decodeString(_ bytes: [UInt8], from start: Int) -> (String, Int)? {
        var j = start + 1
        while j < bytes.count {
            if bytes[j] == 0x5C {
                j += 2
                continue
            }
            if bytes[j] == 0x22 {
                let literal = Data(bytes[start...j])
                guard
                    let text = try? JSONSerialization.jsonObject(with: literal, options: [.fragmentsAllowed]) as? String
                else { return ("", j + 1) }
                return (text, j + 1)
            }
            j += 1
        }
        return nil
    }
}
