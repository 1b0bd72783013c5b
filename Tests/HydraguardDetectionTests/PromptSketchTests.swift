import Testing

@testable import HydraguardDetection

@Suite("PromptSketch")
struct PromptSketchTests {
    @Test("prompts from one template with different slot fillers are near-duplicates")
    func templateSlots() {
        let a = PromptSketch(
            prompt: "Solve the following Python problem step by step, showing all of your reasoning before the final "
                + "code. Problem: reverse a linked list in place. Explain the time complexity of the solution.")
        let b = PromptSketch(
            prompt: "Solve the following Python problem step by step, showing all of your reasoning before the final "
                + "code. Problem: merge two sorted arrays. Explain the time complexity of the solution.")
        #expect(a.similarity(to: b) >= 0.45)
        #expect(a.capabilities.contains(.coding))
        #expect(a.elicitsReasoning)
    }

    @Test("unrelated prompts are not near-duplicates")
    func unrelated() {
        let a = PromptSketch(prompt: honestPrompt(1))
        let b = PromptSketch(prompt: honestPrompt(2))
        #expect(a.similarity(to: b) < 0.3)
        let c = PromptSketch(prompt: "What is a good name for a golden retriever puppy who loves swimming?")
        #expect(!c.elicitsReasoning)
        #expect(c.capabilities.isDisjoint(with: .targeted))
    }

    @Test("digits are folded, so numbered variants of one prompt match exactly")
    func digitsFolded() {
        let a = PromptSketch(prompt: "Ticket 48213: summarise the customer's complaint about order 5521 in two lines.")
        let b = PromptSketch(prompt: "Ticket 77190: summarise the customer's complaint about order 1093 in two lines.")
        #expect(a.similarity(to: b) == 1)
        #expect(a.excerpt.hasPrefix("Ticket #####"))
    }

    @Test("an empty prompt has no shingles and matches nothing")
    func empty() {
        let a = PromptSketch(prompt: "")
        #expect(a.shingles == 0)
        #expect(a.similarity(to: a) == 0)
    }
}
