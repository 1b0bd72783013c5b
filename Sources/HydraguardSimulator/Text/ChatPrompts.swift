/// Prompt text for honest users, generated from small grammars so that no two users sound alike.
enum ChatPrompts {
    static let openers = [
        "", "", "", "Hey, ", "Hi! ", "Quick question: ", "Please ", "Can you ", "Could you ", "I need to ",
        "Help me ", "ok so ", "Hello, could you ", "I'm stuck. ", "Honestly I don't get this. ", "For work: ",
        "My boss asked me to ", "Not sure if you can do this but ", "Another one: ", "Follow-up: ",
    ]
    static let asks = [
        "explain", "summarize", "write", "draft", "rewrite", "give me ideas for", "compare", "outline",
        "proofread", "translate into Spanish", "translate into German", "make a checklist for", "plan",
        "critique", "simplify", "brainstorm names for", "write a short poem about", "list pros and cons of",
        "suggest a recipe using", "estimate the cost of", "fix the grammar in", "shorten", "expand on",
    ]
    static let objects = [
        "a cover letter for a junior data analyst role", "the causes of the French Revolution",
        "a birthday message for my sister who just turned 30", "how compound interest works",
        "an email asking my landlord to fix the heating", "the plot of Middlemarch", "a weekly meal plan",
        "our team's quarterly goals", "a toast for my best friend's wedding", "the difference between TCP and UDP",
        "a 3-day itinerary for Lisbon", "how vaccines train the immune system", "my resume summary",
        "a product description for handmade candles", "a bedtime story about a brave turtle",
        "the main arguments for and against remote work", "a LinkedIn post about my new job",
        "photosynthesis", "a complaint letter to an airline about lost luggage", "how to start running at 40",
        "the rules of cricket", "a polite way to decline a meeting", "the history of the printing press",
        "what a Roth IRA is", "my notes from today's lecture on supply and demand", "a garden layout for a small balcony",
        "how to negotiate a raise", "a speech for a retirement party", "the symptoms of burnout",
        "a blog intro about sourdough baking", "the French subjunctive", "an apology text to a friend",
        "how black holes form", "a budget spreadsheet structure", "ways to reduce my electricity bill",
        "a job posting for a part-time barista", "the themes of Beloved", "how to train a puppy to sit",
        "tips for a first marathon", "a thank-you note to my child's teacher", "a haiku about autumn rain",
        "the tax implications of freelancing", "a short story opening set on Mars",
    ]
    static let contexts = [
        "", "", "", " in simple terms", " for a 10-year-old", " in under 200 words", " with bullet points",
        " in a friendly tone", " in a formal tone", ", keep it short", " as a table", " step by step",
        " with examples", " in three paragraphs", " like I'm a beginner", " for a presentation tomorrow",
        ", make it funny", " without jargon", " and cite sources if you can", " for my grandmother",
    ]
    static let closers = [
        "", "", "", "", " Thanks!", " Thank you.", " thx", " Please be concise.", " 🙏",
        " I'll paste more context below if needed.", " It's due tonight.", " Second try, the last answer was too long.",
    ]

    static func chat(_ rng: inout SeededRandom) -> String {
        var text = rng.pick(openers)
        let ask = rng.pick(asks)
        text += text.isEmpty ? ask.prefix(1).uppercased() + ask.dropFirst() : ask
        text += " " + rng.pick(objects) + rng.pick(contexts) + "." + rng.pick(closers)
        if rng.chance(0.25) { text += " " + detail(&rng) }
        return text
    }

    static let details = [
        "It's for about {n} people.", "The budget is around ${n}.", "I have {n} minutes.",
        "Last time you suggested something similar but I need it by {d}.", "My name is {name}, sign it from me.",
        "Use the name {name}.", "Keep it under {n} words.", "I live in {city}.", "We meet on {d}.",
    ]
    static let names = [
        "Maria", "Jon", "Aiko", "Priya", "Lukas", "Fatima", "Diego", "Chloe", "Wei", "Olusegun", "Sven", "Ana",
        "Tom", "Yuki", "Ravi", "Elena", "Kwame", "Lea", "Mateo", "Sara",
    ]
    static let cities = ["Austin", "Leeds", "Lyon", "Pune", "Osaka", "Recife", "Gdansk", "Busan", "Calgary", "Perth"]
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend", "the 14th"]

    static func detail(_ rng: inout SeededRandom) -> String {
        fill(rng.pick(details), &rng)
    }

    /// Replaces `{n}`, `{d}`, `{name}` and `{city}` with random values.
    static func fill(_ template: String, _ rng: inout SeededRandom) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            switch rest[rest.index(after: open)..<close] {
            case "n": out += String(rng.int(in: 3...400))
            case "d": out += rng.pick(weekdays)
            case "name": out += rng.pick(names)
            case "city": out += rng.pick(cities)
            default: out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
