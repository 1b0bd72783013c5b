import Foundation

enum SystemInfo {
    static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    static func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}
