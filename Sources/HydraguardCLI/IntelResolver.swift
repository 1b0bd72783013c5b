import HydraguardDetection

/// Placeholder until HydraguardIntel lands: only the no-intelligence resolver.
enum IntelResolver {
    static func load(countryDB: String?, asnDB: String?, rangeLists: [String]) throws -> any AddressResolver {
        NoAddressIntelligence()
    }
}
