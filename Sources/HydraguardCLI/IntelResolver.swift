import HydraguardDetection
import HydraguardIntel

/// The audit's view of HydraguardIntel's databases.
struct IntelResolver: AddressResolver {
    let intel: IPIntelligence

    static func load(countryDB: String?, asnDB: String?, rangeLists: [String]) throws -> any AddressResolver {
        guard countryDB != nil || asnDB != nil || !rangeLists.isEmpty else { return NoAddressIntelligence() }
        return IntelResolver(intel: try IPIntelligence(countryDB: countryDB, asnDB: asnDB, rangeLists: rangeLists))
    }

    func resolve(_ ip: String) -> AddressInfo {
        guard let info = intel.lookup(ip) else { return .unknown }
        return AddressInfo(
            country: info.country, asn: info.asn ?? 0,
            kind: info.kind.map { AddressKind(name: $0.rawValue) } ?? .unknown)
    }
}
