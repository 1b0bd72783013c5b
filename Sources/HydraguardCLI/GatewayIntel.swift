import ArgumentParser
import HydraguardGateway

/// The address intelligence a config asks for (MMDB databases and range lists through HydraguardIntel).
func loadIntelligence(_ config: IntelConfig, configPath: String) throws -> (any AddressIntelligence)? {
    do {
        return try config.open()
    } catch {
        throw ValidationError("\(configPath): intel: \(error)")
    }
}
