import Foundation
import Testing

@testable import HydraguardSimulator

@Suite struct PromptCorpusTests {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "hydraguard-corpus-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsHumanTurnsOfAShareGPTDumpCutOffMidRecord() throws {
        let path = try file(
            """
            [{"id": "a", "conversations": [{"from": "human", "value": "Write a \\"haiku\\"\\nabout rain"},
              {"from": "gpt", "value": "Rain taps..."}, {"from": "human", "value": "Now in French"}]},
             {"id": "b", "conversations": [{"from": "human", "value": "Explain TCP"}, {"from": "gpt", "value": "TCP is
            """
        )
        defer { try? FileManager.default.removeItem(atPath: path) }
        let corpus = try PromptCorpus.load(path: path)
        #expect(corpus.prompts == ["Write a \"haiku\"\nabout rain", "Now in French", "Explain TCP"])
    }

    @Test func readsJSONLinesAndText() throws {
        let jsonl = try file(
            "{\"task_id\": 1, \"prompt\": \"def add(a, b):\"}\n\"plain string\"\n{\"text\": \"t\"}\nnot json\n"
        )
        let text = try file("first prompt\nsecond prompt\n")
        defer {
            try? FileManager.default.removeItem(atPath: jsonl)
            try? FileManager.default.removeItem(atPath: text)
        }
        #expect(try PromptCorpus.load(path: jsonl).prompts == ["def add(a, b):", "plain string", "t"])
        #expect(try PromptCorpus.load(path: text).prompts == ["first prompt", "second prompt"])
    }

    @Test func emptyOrMissingFilesAreErrorsNamingTheFile() throws {
        let empty = try file("[]")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: PromptCorpus.LoadError.self) { try PromptCorpus.load(path: empty) }
        do {
            _ = try PromptCorpus.load(path: "/nonexistent/corpus.json")
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("/nonexistent/corpus.json"))
        }
    }

    @Test func honestChatUsesTheCorpusAndAttacksDoNot() throws {
        let corpus = PromptCorpus(prompts: ["CORPUS-1", "CORPUS-2"])
        let sim = try Simulation(scenario: TestScenarios.light(days: 1), seed: 1, prompts: corpus)
        let archetypes = sim.archetypes()
        let events = sim.events(day: 0)
        let chat = events.filter { archetypes[$0.accountID] == .casualChat }
        let fromCorpus = chat.filter { $0.prompt?.hasPrefix("CORPUS-") == true }.count
        #expect(Double(fromCorpus) / Double(chat.count) > 0.7)
        #expect(!events.contains { archetypes[$0.accountID] == .hydra && $0.prompt?.hasPrefix("CORPUS-") == true })
    }
}
