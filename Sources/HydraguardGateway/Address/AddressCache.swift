import Synchronization

/// What the gateway knows of a client address.
struct AddressFacts: Sendable {
    var address: GatewayAddress?
    var info: AddressInfo
    /// The per-prefix limits' scope (/24 or /48), nil for a malformed address.
    var limitPrefix: String?
}

/// Facts about the addresses seen lately, forgotten all at once when it holds `capacity` of them.
final class AddressCache: Sendable {
    private let entries = Mutex<[String: AddressFacts]>([:])
    let capacity: Int

    init(capacity: Int = 65_536) { self.capacity = capacity }

    func facts(_ ip: String) -> AddressFacts? { entries.withLock { $0[ip] } }

    func remember(_ ip: String, _ facts: AddressFacts) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[ip] = facts
        }
    }
}
