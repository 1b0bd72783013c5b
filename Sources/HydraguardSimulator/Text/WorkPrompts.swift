import Foundation

/// Text of organisations' programmatic traffic: batch templates, benchmarks, assignments, products.
enum WorkPrompts {
    static let batchTemplates = [
        "Classify the following customer support ticket into one of [billing, technical, account, other] and extract the product name. Respond in JSON.\n\nTicket #{id}: {body}",
        "Summarize the following call transcript in three bullet points and list any follow-up actions.\n\nTranscript {id}: {body}",
        "Extract the invoice number, total amount, currency and due date from this document as JSON.\n\nDocument {id}: {body}",
        "Translate the following product review into English and rate its sentiment from 1 to 5.\n\nReview {id}: {body}",
        "Rewrite this listing title to be under 80 characters and SEO friendly.\n\nListing {id}: {body}",
        "Does the following contract clause contain an auto-renewal term? Answer yes or no with a quote.\n\nClause {id}: {body}",
    ]
    static let batchBodies = [
        "I was charged twice for my subscription this month and the app still says trial",
        "The export button does nothing on Safari, tried clearing cache", "Customer asked about moving the delivery date to next week",
        "Total due 1,240.00 EUR, invoice INV-2291, payment within 30 days", "Great blender but the lid cracked after two weeks",
        "Vintage leather messenger bag brown with brass buckles excellent condition", "This agreement renews automatically for successive one-year terms",
        "Cannot log in after resetting my password, the link expired", "Agent promised a callback that never happened",
    ]

    static func batch(_ template: Int, _ rng: inout SeededRandom) -> String {
        batchTemplates[template % batchTemplates.count]
            .replacingOccurrences(of: "{id}", with: String(rng.int(in: 100_000...999_999)))
            .replacingOccurrences(of: "{body}", with: rng.pick(batchBodies) + " " + ChatPrompts.detail(&rng))
    }

    static let benchmarkSuites = [
        "Problem {n}: {problem}\nThink step by step, then give your final answer as \\boxed{answer}.",
        "The following is a multiple choice question about {subject}. Reason step by step and finish with 'Answer: X'.\n\nQ{n}. {question}\n(A) {a} (B) {b} (C) {c} (D) {d}",
        "Complete the following Python function so that all doctests pass.\n\ndef task_{n}(xs):\n    \"\"\"{doc}\"\"\"\n",
    ]
    static let subjects = ["high school chemistry", "college physics", "professional law", "clinical knowledge", "econometrics", "world religions"]
    static let questions = [
        "Which of the following best explains the observed result?", "What is the most likely diagnosis?",
        "Which statement is NOT consistent with the theory?", "What is the value of the constant in this system?",
    ]
    static let docs = [
        "Return the second largest distinct value, or None.", "Return the list with consecutive duplicates removed.",
        "Return True if the brackets in the string are balanced.", "Return the running maximum of the list.",
    ]

    static func benchmark(_ suite: Int, item: Int, _ rng: inout SeededRandom) -> String {
        var text = benchmarkSuites[suite % benchmarkSuites.count]
        text = text.replacingOccurrences(of: "{n}", with: String(item))
        if text.contains("{problem}") {
            text = text.replacingOccurrences(of: "{problem}", with: ExtractionPrompts.fill(rng.pick(ExtractionPrompts.problems), &rng))
        }
        if text.contains("{subject}") {
            text = text.replacingOccurrences(of: "{subject}", with: rng.pick(subjects))
                .replacingOccurrences(of: "{question}", with: rng.pick(questions))
                .replacingOccurrences(of: "{a}", with: String(rng.int(in: 1...99)))
                .replacingOccurrences(of: "{b}", with: String(rng.int(in: 1...99)))
                .replacingOccurrences(of: "{c}", with: String(rng.int(in: 1...99)))
                .replacingOccurrences(of: "{d}", with: String(rng.int(in: 1...99)))
        }
        return text.replacingOccurrences(of: "{doc}", with: rng.pick(docs))
    }

    static let assignments = [
        "CS101 Homework {w}: Write a Python function is_prime(n) that returns True if n is prime, and explain its time complexity.",
        "Assignment {w} (Data Structures): implement a stack using two queues and explain why each operation has the cost it has.",
        "Econ 210 Problem Set {w}: Using the supply and demand curves given in class, explain what happens to equilibrium price when a tax is imposed.",
        "BIO 150 Lab {w}: Explain the steps of PCR and why the annealing temperature matters.",
        "Intro to Statistics HW {w}: Compute the mean, median and standard deviation of the data set and interpret them.",
    ]
    static let studentPrefixes = [
        "", "", "pls help: ", "I don't understand this: ", "can you explain ", "how do I do this? ", "Hi, my assignment says: ",
        "", "help!! ", "Professor said we can use AI to check our work. ",
    ]
    static let studentSuffixes = [
        "", "", " my attempt: I think it's O(n) but not sure", " can you check my answer", " explain like I'm 5",
        " I tried it and got a different number", " due Friday", " my code gives an error on line 3",
    ]

    static func assignment(_ course: Int, week: Int, _ rng: inout SeededRandom) -> String {
        let base = assignments[course % assignments.count].replacingOccurrences(of: "{w}", with: String(week))
        return rng.pick(studentPrefixes) + base + rng.pick(studentSuffixes)
    }

    static let products = [
        "Recipe assistant", "Travel planner", "Resume reviewer", "Legal FAQ bot", "Shopping concierge",
        "Language tutor", "Real-estate listing writer", "Fitness coach", "Support copilot", "Meeting notes",
    ]

    static func startupSystem(_ product: Int) -> String {
        "You are the \(products[product % products.count]) inside a consumer app. Be concise, friendly and never "
            + "mention that you are an AI model unless asked. Refuse requests unrelated to the product."
    }
}
