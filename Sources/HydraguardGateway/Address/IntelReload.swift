import Logging
import NIOPosix

/// What a reload of the address intelligence put in force.
public struct IntelReload: Sendable, Hashable {
    /// The files read: the country and ASN databases and the range lists, as the config names them.
    public var files: [String]
    /// The ranges in the range lists.
    public var ranges: Int
}

/// Why the address intelligence was not reloaded. The intelligence in force stays as it was.
public enum IntelReloadError: Error, CustomStringConvertible, Equatable {
    /// The config names no country or ASN database and no range list.
    case notConfigured
    /// A file could not be read; the message names it (and the line, for a range list).
    case unreadable(String)

    public var description: String {
        switch self {
        case .notConfigured: "the config names no address intelligence (intel.country_mmdb, intel.asn_mmdb, intel.ip_ranges)"
        case .unreadable(let message): message
        }
    }
}

extension IntelConfig {
    /// The files the config names, in the order they are read.
    var files: [String] { [countryDatabase, asnDatabase].compactMap { $0 } + ipRanges }
}

extension Gateway {
    /// Reads the address intelligence the config names again (its databases and range lists, the same
    /// paths as at start) and puts it in force for the requests that follow; what was known of each
    /// client address is forgotten. Reading happens on NIO's blocking thread pool, off the event loops,
    /// which go on serving with the intelligence in force until the new one is complete. When a file
    /// cannot be read, nothing changes and the error names the file.
    ///
    /// `hydraguard gateway` calls this on SIGHUP, and the admin API on `POST /admin/intel/reload`.
    public func reloadIntelligence() async throws(IntelReloadError) -> IntelReload {
        let result: Result<IntelReload, IntelReloadError>
        do {
            result = try await NIOThreadPool.singleton.runIfActive { self.reloadIntelligenceNow() }
        } catch {
            result = .failure(.unreadable("the gateway is shutting down"))
        }
        return try result.get()
    }

    /// ``reloadIntelligence()`` on the calling thread, which it blocks while the files are read.
    func reloadIntelligenceNow() -> Result<IntelReload, IntelReloadError> {
        reloading.withLock { _ in
            let files = config.intel.files
            guard !files.isEmpty else {
                logger.notice("address intelligence not reloaded: \(IntelReloadError.notConfigured)")
                return .failure(.notConfigured)
            }
            let opened: IntelAddressLookup
            do {
                guard let lookup = try config.intel.open() else { return .failure(.notConfigured) }
                opened = lookup
            } catch {
                metrics.intelReload(succeeded: false)
                logger.error(
                    "address intelligence not reloaded; the one in force stays",
                    metadata: ["hydraguard.error": "\(error)"])
                return .failure(.unreadable("\(error)"))
            }
            addresses.replace(opened)
            metrics.intelReload(succeeded: true)
            metrics.intelLoaded()
            let reload = IntelReload(files: files, ranges: opened.intel.ranges.entries.count)
            logger.info(
                "address intelligence reloaded",
                metadata: ["hydraguard.files": "\(files.joined(separator: ", "))", "hydraguard.ranges": "\(reload.ranges)"])
            return .success(reload)
        }
    }
}
