/// A prompt template parsed once: literal text and `{slot}` placeholders filled from small word lists.
/// Placeholders it does not know (`\boxed{answer}`) stay literal.
///
/// ```swift
/// let t = Template("Solve the following {lang} problem: {task}.")
/// var rng = SeededRandom(seed: 1)
/// t.render(&rng)   // "Solve the following Rust problem: merge k sorted linked lists."
/// ```
struct Template: Sendable {
    enum Slot: String, Sendable {
        case lang, task, goal, domain, problem, n, m, k, big, city, name, d, id, body, w, item, subject, question,
            opt, doc
    }

    enum Part: Sendable {
        case text(String)
        case slot(Slot)
    }

    /// Values a caller fixes for `{w}` and `{item}`.
    struct Values {
        var week = 1
        var item = 1
    }

    let parts: [Part]

    init(_ text: String) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            if let slot = Slot(rawValue: name) {
                if !literal.isEmpty { parts.append(.text(literal)) }
                literal = ""
                parts.append(.slot(slot))
            } else {
                literal += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.text(literal)) }
        self.parts = parts
    }

    func render(_ rng: inout SeededRandom, _ values: Values = Values()) -> String {
        var out = ""
        out.reserveCapacity(256)
        append(to: &out, &rng, values)
        return out
    }

    func append(to out: inout String, _ rng: inout SeededRandom, _ values: Values) {
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .slot(let slot): Template.fill(slot, into: &out, &rng, values)
            }
        }
    }

    static func fill(_ slot: Slot, into out: inout String, _ rng: inout SeededRandom, _ values: Values) {
        switch slot {
        case .lang: out += rng.pick(ExtractionPrompts.languages)
        case .task: rng.pick(ExtractionPrompts.codingTasks).append(to: &out, &rng, values)
        case .goal: rng.pick(ExtractionPrompts.agenticGoals).append(to: &out, &rng, values)
        case .domain: out += rng.pick(ExtractionPrompts.domains)
        case .problem: rng.pick(ExtractionPrompts.problems).append(to: &out, &rng, values)
        case .n: out += String(rng.int(in: 3...40))
        case .m: out += String(rng.int(in: 2...30))
        case .k: out += String(rng.int(in: 5...50))
        case .big: out += String(rng.int(in: 100...100_000))
        case .city: out += rng.pick(ChatPrompts.cities)
        case .name: out += rng.pick(ChatPrompts.names)
        case .d: out += rng.pick(ChatPrompts.weekdays)
        case .id: out += String(rng.int(in: 100_000...999_999))
        case .body:
            out += rng.pick(WorkPrompts.batchBodies)
            out += " "
            rng.pick(ChatPrompts.details).append(to: &out, &rng, values)
        case .w: out += String(values.week)
        case .item: out += String(values.item)
        case .subject: out += rng.pick(WorkPrompts.subjects)
        case .question: out += rng.pick(WorkPrompts.questions)
        case .opt: out += String(rng.int(in: 1...99))
        case .doc: out += rng.pick(WorkPrompts.docs)
        }
    }
}

extension Array where Element == String {
    /// The strings parsed as templates.
    var templates: [Template] { map { Template($0) } }
}

extension Template: ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self.init(value) }
}
