import Synchronization

/// What the gateway knows of a client address.
struct AddressFacts: Sendable {
    var address: GatewayAddress?
    var info: AddressInfo
    /// The per-prefix limits' scope (/24 or /48), nil for a malformed address.
    var limitPrefix: String?
    /// Whether `info` comes from address intelligence (false when the gateway has none, so no
    /// geofence applies).
    var fromIntelligence: Bool
}

/// The address intelligence in force and the facts about the addresses seen lately. The facts are
/// forgotten all at once when the cache holds `capacity` of them, and when the intelligence is replaced
/// (``replace(_:)``, on a reload): facts looked up in the intelligence before a replacement are not
/// remembered after it.
final class AddressCache: Sendable {
    private struct State {
        var intel: (any AddressIntelligence)?
        /// Counts replacements, so that a lookup that began before one is not remembered after it.
        var generation: UInt64 = 0
        var entries: [String: AddressFacts] = [:]
    }

    private let state: Mutex<State>
    let capacity: Int

    init(intel: (any AddressIntelligence)?, capacity: Int = 65_536) {
        state = Mutex(State(intel: intel))
        self.capacity = capacity
    }

    func facts(_ ip: String) -> AddressFacts? { state.withLock { $0.entries[ip] } }

    /// The intelligence in force, and the generation to give ``remember(_:_:generation:)``.
    func intelligence() -> (intel: (any AddressIntelligence)?, generation: UInt64) {
        state.withLock { ($0.intel, $0.generation) }
    }

    /// Remembers facts looked up in the intelligence of `generation`, unless it was replaced since.
    func remember(_ ip: String, _ facts: AddressFacts, generation: UInt64) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[ip] = facts
        }
    }

    /// Puts `intel` in force and forgets every address's facts.
    func replace(_ intel: (any AddressIntelligence)?) {
        state.withLock { state in
            state.intel = intel
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }
}
