/// Whether two secrets are equal, comparing every byte of the longer whatever the first difference, so that
/// the time taken tells nothing of where they differ. Copies nothing: it runs for every request whose
/// connection remembers its key (``KeyMemo``).
func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            var diff = UInt8(x.count == y.count ? 0 : 1)
            for i in 0..<max(x.count, y.count) {
                diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
            }
            return diff == 0
        }
    }
}
