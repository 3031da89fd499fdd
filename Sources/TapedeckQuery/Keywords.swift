/// The query language's keywords, and "did you mean …?" suggestions for misspellings.
enum Keywords {
    /// Words that can begin an operand.
    static let operandStarts = [
        "host", "net", "port", "src", "dst", "ip", "ip6", "tcp", "udp", "icmp", "icmp6",
        "vlan", "mpls", "before", "after", "not",
    ]
    /// Words that can follow an operand.
    static let operators = ["and", "or"]

    /// The candidate closest to `word` (case-insensitive) by edit distance, if it is close
    /// enough to be a plausible typo: one edit for words of up to four letters, two otherwise.
    static func nearest(to word: String, among candidates: [String]) -> String? {
        let typed = Array(word.lowercased())
        let limit = typed.count <= 4 ? 1 : 2
        var best: (keyword: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(typed, Array(candidate))
            if distance <= limit, distance < best?.distance ?? .max { best = (candidate, distance) }
        }
        return best?.keyword
    }

    /// Damerau–Levenshtein distance (optimal string alignment: insert, delete, substitute,
    /// swap two neighbours).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previousPrevious[j - 2] + 1)
                }
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
