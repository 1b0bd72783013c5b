import ArgumentParser
import HydraguardGateway

/// The address intelligence a config asks for (MMDB databases and range lists through HydraguardIntel).
func loadIntelligence(_ config: IntelConfig, configPath: String) throws -> (any AddressIntelligence)? {
    guard config.countryDatabase != nil || config.asnDatabase != nil || !config.ipRanges.isEmpty else { return nil }
    throw ValidationError("\(configPath): intel: MMDB and range-list support is not built into this version yet")
}
