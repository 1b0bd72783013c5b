/// What distillation campaigns send: capability-targeted tasks that ask for visible reasoning.
enum ExtractionPrompts {
    enum Target: CaseIterable { case coding, agentic, reasoning }

    static let languages = ["Python", "Rust", "Go", "TypeScript", "C++", "Java", "Kotlin", "SQL", "Haskell", "C#"]
    static let codingTasks = [
        "implement an LRU cache with O(1) get and put", "find the longest palindromic substring of a string",
        "merge k sorted linked lists", "serialize and deserialize a binary tree", "implement a trie with prefix search",
        "compute the edit distance between two strings", "detect a cycle in a directed graph",
        "implement a thread-safe bounded queue", "parse arithmetic expressions with operator precedence",
        "find all strongly connected components", "implement Dijkstra's algorithm with a binary heap",
        "write a rate limiter using the token bucket algorithm", "implement consistent hashing with virtual nodes",
        "find the median of two sorted arrays in logarithmic time", "implement a skip list",
        "solve the N-queens problem for n = {n}", "count islands in a {n}x{n} grid", "implement a JSON tokenizer",
        "design an in-memory key-value store with transactions", "implement a regex matcher supporting . and *",
        "schedule {n} tasks with dependencies (topological sort)", "compress a string with run-length encoding",
        "implement a Bloom filter with {n} hash functions", "write an interval tree supporting overlap queries",
        "implement a lock-free stack", "build a min-cost spanning tree with Kruskal's algorithm",
    ]
    static let agenticGoals = [
        "set up a CI pipeline for a monorepo and fix the failing job", "find and patch the SQL injection in the repository",
        "migrate the database schema without downtime", "book the cheapest flight meeting the constraints in the file",
        "triage the {n} open issues and label them", "reproduce the reported crash and write a regression test",
        "upgrade every dependency and resolve the breaking changes", "scrape the product catalogue and build a price report",
        "investigate the latency spike in the logs and propose a fix", "refactor the service into three modules",
        "write and run a data-cleaning script for the attached CSV", "deploy the app to a new Kubernetes cluster",
        "audit the IAM policies and remove unused permissions", "resolve the merge conflicts on branch feature-{n}",
    ]
    static let domains = [
        "probability", "number theory", "combinatorics", "geometry", "logic puzzle", "physics", "algebra",
        "graph theory", "game theory", "calculus",
    ]
    static let problems = [
        "How many positive integers below {big} are divisible by {n} but not by {m}?",
        "A bag holds {n} red and {m} blue balls; three are drawn without replacement. What is the probability all are red?",
        "Prove that the sum of the first {n} odd numbers is a perfect square, and compute it.",
        "Find all integer solutions of x^2 - {n}y^2 = 1 with x < {big}.",
        "A train leaves at {n} km/h and another at {m} km/h, {big} km apart. When do they meet?",
        "In how many ways can {n} people sit at a round table if two of them refuse to sit together?",
        "What is the remainder of {n}^{big} divided by {m}?",
        "Five suspects each make two statements, exactly one of which is true. Who is guilty? Statements: {n}, {m}.",
        "Find the area of a triangle with sides {n}, {m} and {k}.",
        "Evaluate the integral of x^{n} e^(-x) from 0 to infinity.",
        "Two players alternately remove 1 to {n} stones from a pile of {big}. Who wins with perfect play?",
        "A graph has {big} vertices and every vertex has degree {n}. How many edges does it have?",
    ]
    static let codingTemplates = [
        "Solve the following {lang} problem step by step, showing all reasoning before the final code: {task}.",
        "You are an expert {lang} engineer. Think through the problem carefully, explain each step, then write the complete solution. Problem: {task}.",
        "Write production-quality {lang} to {task}. First reason about edge cases and complexity in detail, then give the code and tests.",
        "Task: {task}. Language: {lang}. Output format: <reasoning> full chain of thought </reasoning> <code> solution </code>.",
        "Explain your reasoning line by line as you {task} in {lang}. Include complexity analysis and three test cases.",
        "Given the problem '{task}', produce a detailed step-by-step derivation of an optimal {lang} solution and justify every design choice.",
        "Act as a senior {lang} developer. Reason out loud, then {task}. Do not skip any intermediate step.",
        "I want to learn how experts think. {task} in {lang}, narrating your full thought process before answering.",
        "Problem ({lang}): {task}. Think step by step. Show the reasoning, the final answer, then verify it.",
        "Provide a worked solution in {lang}: {task}. Start with analysis, list alternatives, pick one, implement, test.",
    ]
    static let agenticTemplates = [
        "You have access to the tools listed. Plan step by step how to {goal}, explaining your reasoning for every tool call, then execute the plan.",
        "Act as an autonomous agent. Goal: {goal}. Before each tool call, write your full reasoning; after it, reflect on the result.",
        "Using the available tools, {goal}. Think aloud at every step and show the complete trajectory.",
        "Agent task: {goal}. Produce a numbered plan, justify each step, call tools as needed and summarise what you learned.",
        "You are an AI engineer with shell, editor and browser tools. {goal}. Explain your chain of thought in detail throughout.",
        "Multi-step task: {goal}. Decompose it, reason about each subtask, invoke the tools, and verify the final state.",
        "Show me, step by step with all reasoning, how you would {goal} using the tools provided. Then do it.",
        "Objective: {goal}. Constraints: use tools only when needed, think before every action, explain failures and retries.",
    ]
    static let reasoningTemplates = [
        "Solve this {domain} problem. Show your complete chain of thought, verifying each step: {problem}",
        "Think step by step and show all of your reasoning before giving the final answer. {domain} question: {problem}",
        "{problem} Reason carefully through every step, consider alternative approaches, and state the final answer clearly.",
        "You are a {domain} olympiad coach. Work through the following in full detail, explaining why each step holds: {problem}",
        "Question ({domain}): {problem} Write out your entire thought process, double-check the arithmetic, then answer.",
        "Provide a rigorous step-by-step solution with all intermediate reasoning: {problem}",
        "Let's think step by step. {problem} Show every calculation and justify the result.",
        "Explain your reasoning in detail, then give the answer in a box. {domain}: {problem}",
        "Produce a long-form chain-of-thought solution for the following {domain} problem, then a one-line answer. {problem}",
        "Before answering, reason at length and check your work. {problem}",
    ]
    static let coverPrompts = ["What's the weather usually like in {city} in spring?", "Tell me a fun fact.",
        "Translate 'good morning' into Japanese.", "Write a short thank-you note.", "hello", "What can you do?",
        "Summarize the news about electric cars in two sentences.", "Recommend a book like Dune."]

    static func target(_ rng: inout SeededRandom) -> Target {
        Target.allCases[rng.weighted([0.45, 0.25, 0.3])]
    }

    /// A templated extraction prompt; `family` narrows the template choice (a campaign uses a few dozen).
    static func templated(_ target: Target, _ rng: inout SeededRandom) -> String {
        switch target {
        case .coding: return fill(rng.pick(codingTemplates), &rng)
        case .agentic: return fill(rng.pick(agenticTemplates), &rng)
        case .reasoning: return fill(rng.pick(reasoningTemplates), &rng)
        }
    }

    static func cover(_ rng: inout SeededRandom) -> String {
        ChatPrompts.fill(rng.pick(coverPrompts), &rng)
    }

    static func fill(_ template: String, _ rng: inout SeededRandom) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            switch rest[rest.index(after: open)..<close] {
            case "lang": out += rng.pick(languages)
            case "task": out += fill(rng.pick(codingTasks), &rng)
            case "goal": out += fill(rng.pick(agenticGoals), &rng)
            case "domain": out += rng.pick(domains)
            case "problem": out += fill(rng.pick(problems), &rng)
            case "n": out += String(rng.int(in: 3...40))
            case "m": out += String(rng.int(in: 2...30))
            case "k": out += String(rng.int(in: 5...50))
            case "big": out += String(rng.int(in: 100...100_000))
            case "city": out += rng.pick(ChatPrompts.cities)
            default: out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    // Stealth: the same tasks, paraphrased so that no template repeats.
    static let stealthOpeners = [
        "", "Hi, ", "So ", "Quick one: ", "I'm prepping for interviews. ", "For a side project, ", "hey, ",
        "Working on homework and confused. ", "Curious: ", "My team is debating this. ", "Could you help? ",
    ]
    static let stealthAsks = [
        "how would you {task} in {lang}?", "what's a clean way to {task} using {lang}",
        "I'd like to {task} ({lang}) — can you walk me through it", "best approach to {task}? prefer {lang}",
        "can you show me how to {task}, {lang} if possible", "{lang}: {task}, how?",
        "I keep failing to {task} in {lang}. what am I missing", "how do I {goal}?",
        "what steps would you take to {goal}", "I need to {goal}, where do I start",
        "{problem}", "can you check my thinking on this: {problem}", "stuck on this {domain} one: {problem}",
    ]
    static let stealthClosers = [
        "", "", " thanks", " Please explain your thinking.", " walk me through it slowly", " I want to understand why.",
        " show the work pls", " reasoning matters more than the answer here", " be thorough",
    ]

    static func paraphrased(_ rng: inout SeededRandom) -> String {
        fill(rng.pick(stealthOpeners) + rng.pick(stealthAsks) + rng.pick(stealthClosers), &rng)
    }
}
