import Logging
import NIOPosix

/// What a reload put in force.
public struct Reload: Sendable, Hashable {
    /// The config file read again; nil for a gateway built without one (then only the address
    /// intelligence is read again).
    public var configFile: String?
    /// The live sections (``GatewayConfig/liveKeys``) whose settings changed.
    public var changed: [String]
    /// The address intelligence files read: the country and ASN databases and the range lists.
    public var intelFiles: [String]
    /// The ranges in the range lists.
    public var ranges: Int
}

/// Why a reload changed nothing. The settings and the address intelligence in force stay as they were.
public enum ReloadError: Error, CustomStringConvertible, Equatable {
    /// No config file and no address intelligence files: there is nothing to read again.
    case nothingToReload
    /// The config file cannot be read or is invalid; the message names the file, line and key.
    case invalidConfig(String)
    /// Keys outside ``GatewayConfig/liveKeys`` changed; they take a restart.
    case needsRestart(file: String, keys: [String])
    /// An address intelligence file cannot be read; the message names it (and the line, for a range list).
    case unreadableIntel(String)

    public var description: String {
        switch self {
        case .nothingToReload:
            "no config file and no address intelligence (intel.country_mmdb, intel.asn_mmdb, intel.ip_ranges) to read again"
        case .invalidConfig(let message), .unreadableIntel(let message): message
        case .needsRestart(let file, let keys):
            "\(file): \(keys.joined(separator: ", ")) changed; \(keys.count == 1 ? "it takes" : "they take") a restart "
                + "(a reload changes only \(GatewayConfig.liveKeys.joined(separator: ", ")))"
        }
    }
}

extension IntelConfig {
    /// The files the config names, in the order they are read.
    public var files: [String] { [countryDatabase, asnDatabase].compactMap { $0 } + ipRanges }
}

extension Gateway {
    /// Reads the config file again (``configPath``) and the address intelligence it names, and puts them
    /// in force for the requests that follow: tier policies, the per-prefix and per-ASN limits, verdict
    /// effects, trusted proxies and the intelligence (``GatewayConfig/liveKeys``). Limits already used
    /// count against new limits. What was known of each client address is forgotten.
    ///
    /// Everything is read on NIO's blocking thread pool, off the event loops, which go on serving with
    /// the settings in force until the new ones are complete. Nothing changes when the file is invalid,
    /// when a key outside the live ones changed, or when an intelligence file cannot be read: the error
    /// says which.
    ///
    /// `hydraguard gateway` calls this on SIGHUP, and the admin API on `POST /admin/reload`.
    public func reload() async throws(ReloadError) -> Reload {
        let result: Result<Reload, ReloadError>
        do {
            result = try await NIOThreadPool.singleton.runIfActive { self.reloadNow() }
        } catch {
            // Only when NIO's singleton pool has stopped, which it does not while the process runs.
            result = .failure(.invalidConfig("the blocking thread pool is not running: \(error)"))
        }
        return try result.get()
    }

    /// ``reload()`` on the calling thread, which it blocks while the files are read.
    func reloadNow() -> Result<Reload, ReloadError> {
        reloading.withLock { _ in
            let result = load()
            switch result {
            case .success(let reload):
                metrics.reload(succeeded: true)
                logger.info(
                    "reloaded",
                    metadata: [
                        "hydraguard.changed": "\(reload.changed.joined(separator: ", "))",
                        "hydraguard.intel.files": "\(reload.intelFiles.joined(separator: ", "))",
                        "hydraguard.intel.ranges": "\(reload.ranges)",
                    ])
            case .failure(.nothingToReload):
                logger.notice("not reloaded: \(ReloadError.nothingToReload)")
            case .failure(let error):
                metrics.reload(succeeded: false)
                logger.error("not reloaded; the settings in force stay", metadata: ["hydraguard.error": "\(error)"])
            }
            return result
        }
    }

    /// Reads and checks everything, then swaps it in; the caller holds ``reloading``.
    private func load() -> Result<Reload, ReloadError> {
        let old = settings.config
        var new = old
        if let configPath {
            do {
                new = try GatewayConfig.load(path: configPath)
            } catch let error as ConfigError {
                return .failure(.invalidConfig(error.description))
            } catch {
                return .failure(.invalidConfig("\(configPath): \(error)"))
            }
            let restart = new.restartKeys(comparedTo: old)
            guard restart.isEmpty else { return .failure(.needsRestart(file: configPath, keys: restart)) }
        }
        let files = new.intel.files
        guard configPath != nil || !files.isEmpty else { return .failure(.nothingToReload) }
        let opened: IntelAddressLookup?
        do {
            opened = try new.intel.open()
        } catch {
            return .failure(.unreadableIntel("\(error)"))
        }
        let changed = new.changedLiveKeys(from: old)
        live.withLock { $0 = LiveSettings(new) }
        // A gateway given its intelligence in code, with no files named before or now, keeps it.
        if !files.isEmpty || !old.intel.files.isEmpty {
            addresses.replace(opened)
            if opened != nil { metrics.intelLoaded() }
        }
        return .success(
            Reload(configFile: configPath, changed: changed, intelFiles: files, ranges: opened?.intel.ranges.entries.count ?? 0))
    }
}
