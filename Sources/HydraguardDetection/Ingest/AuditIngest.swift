import Dispatch
public import HydraguardLog

#if canImport(Glibc)
import Glibc
#endif

/// The streaming stage of an audit: events in, one ``AccountAccumulator`` per account out.
///
/// Accounts are split into shards by a hash of their id, and each batch of events is folded into the
/// shards in parallel, so ingest keeps up with the parallel parser.
public final class AuditIngest {
    public let configuration: AuditConfiguration
    let resolver: any AddressResolver
    let restricted: Set<UInt16>
    private var shards: [Shard]
    public private(set) var events = 0
    public private(set) var first = Timestamp(microseconds: .max)
    public private(set) var last = Timestamp(microseconds: .min)

    /// One shard's accounts. `@unchecked Sendable`: during a batch each shard is touched by exactly
    /// one worker of a `concurrentPerform`, and between batches only by the owning `AuditIngest`.
    final class Shard: @unchecked Sendable {
        var index: [String: Int] = [:]
        var ids: [String] = []
        var accounts: [AccountAccumulator] = []
        /// What the resolver said of recent addresses (cleared when it grows past a bound).
        var addresses: [String: AddressInfo] = [:]
    }

    public init(configuration: AuditConfiguration = AuditConfiguration(), resolver: any AddressResolver = NoAddressIntelligence()) {
        self.configuration = configuration
        self.resolver = resolver
        self.restricted = Set(configuration.restrictedCountries.map { AddressInfo.pack($0) })
        let workers =
            configuration.workers > 0 ? configuration.workers : max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        shards = (0..<workers).map { _ in Shard() }
    }

    /// Folds a batch of events into the accounts.
    public func add(_ batch: [UsageEvent]) {
        events += batch.count
        for event in batch {
            if event.ts < first { first = event.ts }
            if event.ts > last { last = event.ts }
        }
        let shardCount = shards.count
        let samples = configuration.promptSamples
        let resolver = self.resolver
        let restricted = self.restricted
        if shardCount == 1 {
            Self.fold(batch, owner: nil, into: shards[0], shard: 0, resolver: resolver, restricted: restricted, samples: samples)
            return
        }
        let shards = self.shards
        // Each account's shard, computed once per event rather than once per shard.
        let owner = batch.map { UInt8(truncatingIfNeeded: stableHash($0.accountID) % UInt64(shardCount)) }
        DispatchQueue.concurrentPerform(iterations: shardCount) { s in
            Self.fold(batch, owner: owner, into: shards[s], shard: s, resolver: resolver, restricted: restricted, samples: samples)
        }
    }

    static func fold(
        _ batch: [UsageEvent], owner: [UInt8]?, into shard: Shard, shard s: Int, resolver: any AddressResolver,
        restricted: Set<UInt16>, samples: Int
    ) {
        for index in batch.indices where owner == nil || Int(owner![index]) == s {
            let event = batch[index]
            let slot: Int
            if let existing = shard.index[event.accountID] {
                slot = existing
            } else {
                slot = shard.accounts.count
                shard.index[event.accountID] = slot
                shard.ids.append(event.accountID)
                shard.accounts.append(AccountAccumulator())
            }
            let info: AddressInfo
            if let known = shard.addresses[event.ip] {
                info = known
            } else {
                info = resolver.resolve(event.ip)
                if shard.addresses.count >= 1 << 20 { shard.addresses.removeAll(keepingCapacity: true) }
                shard.addresses[event.ip] = info
            }
            let isRestricted = info.country != 0 && restricted.contains(info.country) && !info.kind.isAnonymiser
            shard.accounts[slot].add(event, info: info, restricted: isRestricted, sampleSize: samples)
        }
    }

    /// The accounts seen, by id.
    public func finish() -> [String: AccountAccumulator] {
        var all: [String: AccountAccumulator] = [:]
        all.reserveCapacity(shards.reduce(0) { $0 + $1.ids.count })
        for shard in shards {
            for (i, id) in shard.ids.enumerated() {
                all[id] = shard.accounts[i]
            }
        }
        return all
    }
}
