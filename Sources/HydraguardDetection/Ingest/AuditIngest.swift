import Dispatch
public import HydraguardLog

#if canImport(Glibc)
import Glibc
#endif

/// The streaming stage of an audit: events in, one ``AccountAccumulator`` per account out.
///
/// Accounts are split into shards by a hash of their id, and each shard folds the batches on a queue of its
/// own, in order, while the caller goes back to reading: a shard that gets a heavy account's burst catches
/// up later instead of holding the others back. At most a few batches are in flight.
public final class AuditIngest {
    public let configuration: AuditConfiguration
    let resolver: any AddressResolver
    let restricted: Set<UInt16>
    private var shards: [Shard]
    private let queues: [DispatchQueue]
    /// Batches handed to the shards and not yet folded by all of them.
    /// (Starts at zero and is signalled up to three in `init`: libdispatch traps when a semaphore is freed
    /// below its initial value, as it would be if the last batch's notification had not run yet.)
    private let inFlight = DispatchSemaphore(value: 0)
    public private(set) var events = 0
    public private(set) var first = Timestamp(microseconds: .max)
    public private(set) var last = Timestamp(microseconds: .min)

    /// One shard's accounts. `@unchecked Sendable`: touched only by the shard's serial queue, and by the
    /// owning `AuditIngest` after ``AuditIngest/finish()`` has drained that queue.
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
        queues = (0..<workers).map { DispatchQueue(label: "hydraguard.ingest.\($0)") }
        for _ in 0..<3 { inFlight.signal() }
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
        // Each account's shard, computed once per event rather than once per shard.
        let owner = batch.map { UInt8(truncatingIfNeeded: stableHash($0.accountID) % UInt64(shardCount)) }
        inFlight.wait()
        let group = DispatchGroup()
        for (s, shard) in shards.enumerated() {
            queues[s].async(group: group) {
                Self.fold(batch, owner: owner, into: shard, shard: s, resolver: resolver, restricted: restricted, samples: samples)
            }
        }
        group.notify(queue: .global()) { [inFlight] in inFlight.signal() }
    }

    static func fold(
        _ batch: [UsageEvent], owner: [UInt8]?, into shard: Shard, shard s: Int, resolver: any AddressResolver,
        restricted: Set<UInt16>, samples: Int
    ) {
        // Through a buffer pointer, so that each event is borrowed rather than copied (a copy retains and
        // releases every string it holds).
        batch.withUnsafeBufferPointer { events in
            for index in events.indices where owner == nil || Int(owner![index]) == s {
                let slot: Int
                if let existing = shard.index[events[index].accountID] {
                    slot = existing
                } else {
                    slot = shard.accounts.count
                    shard.index[events[index].accountID] = slot
                    shard.ids.append(events[index].accountID)
                    shard.accounts.append(AccountAccumulator())
                }
                let info: AddressInfo
                if let known = shard.addresses[events[index].ip] {
                    info = known
                } else {
                    info = resolver.resolve(events[index].ip)
                    if shard.addresses.count >= 1 << 20 { shard.addresses.removeAll(keepingCapacity: true) }
                    shard.addresses[events[index].ip] = info
                }
                let isRestricted = info.country != 0 && restricted.contains(info.country) && !info.kind.isAnonymiser
                shard.accounts[slot].add(events[index], info: info, restricted: isRestricted, sampleSize: samples)
            }
        }
    }

    /// The account id hydraguard's gateway records a request under when it names no account (no key, or
    /// one that does not authenticate). Such records are no account's traffic and are not judged.
    public static let noAccount = "-"

    /// The accounts seen, by id (``noAccount`` left out).
    public func finish() -> [String: AccountAccumulator] {
        for queue in queues { queue.sync {} }
        var all: [String: AccountAccumulator] = [:]
        all.reserveCapacity(shards.reduce(0) { $0 + $1.ids.count })
        for shard in shards {
            for (i, id) in shard.ids.enumerated() where id != Self.noAccount {
                all[id] = shard.accounts[i]
            }
        }
        return all
    }
}
