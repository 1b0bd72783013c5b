#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Glibc)
    private let systemRead = Glibc.read
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    private let systemRead = Darwin.read
    private let systemWrite = Darwin.write
#endif

/// Small, Foundation-free file access for databases and range lists.
enum FileIO {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Reads a whole file into memory.
    static func read(_ path: String) throws(IntelError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw IntelError(kind: .io, file: path, message: errnoText()) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IntelError(kind: .io, file: path, message: errnoText()) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(st.st_size) + 1)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw IntelError(kind: .io, file: path, message: errnoText())
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Writes beside `path` and renames into place, so that no reader sees half a file.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(IntelError) {
        let tmp = path + ".partial-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw IntelError(kind: .io, file: path, message: errnoText()) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let message = errnoText()
                close(fd)
                unlink(tmp)
                throw IntelError(kind: .io, file: path, message: message)
            }
            offset += n
        }
        guard fsync(fd) == 0, close(fd) == 0, rename(tmp, path) == 0 else {
            let message = errnoText()
            unlink(tmp)
            throw IntelError(kind: .io, file: path, message: message)
        }
    }
}
