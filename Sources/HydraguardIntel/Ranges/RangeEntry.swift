/// One line of a range list: a network, its kind and who runs it.
///
/// ```swift
/// let entry = RangeEntry(network: try IPNetwork(parsing: "3.0.0.0/9"), kind: .datacenter, provider: "Amazon")
/// ```
public struct RangeEntry: Sendable, Hashable {
    public var network: IPNetwork
    public var kind: NetworkKind
    /// Free text; empty when the list does not say.
    public var provider: String

    public init(network: IPNetwork, kind: NetworkKind, provider: String = "") {
        self.network = network
        self.kind = kind
        self.provider = provider
    }
}
