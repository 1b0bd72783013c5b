import Foundation

/// Cores available to this process: the default number of parse and compression workers.
func onlineProcessorCount() -> Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
