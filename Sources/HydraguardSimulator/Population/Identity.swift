/// Random-looking identifiers and sign-up details, drawn from the same pools for honest and attack
/// accounts so that nothing in an id, domain or tier gives an archetype away.
enum Identity {
    static let consumerDomains = [
        "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me", "qq.com", "163.com",
        "gmx.de", "naver.com", "yahoo.co.jp", "mail.ru", "web.de", "live.com", "aol.com", "zoho.com",
    ]
    static let consumerWeights: [Double] = [45, 12, 6, 6, 6, 4, 3, 2, 2, 2, 2, 1, 1.5, 2, 1, 0.5]

    static func consumerDomain(_ rng: inout SeededRandom) -> String {
        consumerDomains[rng.weighted(consumerWeights)]
    }

    static let syllables = [
        "bright", "loop", "nova", "stack", "pixel", "quant", "lumen", "arc", "flow", "cedar", "ridge", "spark",
        "orbit", "delta", "harbor", "maple", "vector", "atlas", "kite", "forge", "echo", "zen", "iron", "blue",
    ]
    static let tlds = [".com", ".io", ".ai", ".co", ".dev", ".net", ".de", ".co.uk"]

    static func companyDomain(_ rng: inout SeededRandom) -> String {
        rng.pick(syllables) + rng.pick(syllables) + rng.pick(tlds)
    }

    static func accountID(_ rng: inout SeededRandom) -> String { "acct_" + rng.hex(12) }
    static func orgID(_ rng: inout SeededRandom) -> String { "org_" + rng.hex(12) }
    static func paymentFingerprint(_ rng: inout SeededRandom) -> String { rng.hex(16) + rng.hex(8) }

    /// Tiers of self-serve sign-ups: free, email, card, id.
    static func selfServeTier(_ rng: inout SeededRandom, card: Double = 0.28) -> Int {
        rng.weighted([0.3, 0.7 - card, card, 0.02])
    }
}
