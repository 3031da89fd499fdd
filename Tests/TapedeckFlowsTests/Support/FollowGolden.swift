/// One row of a `follow/<capture>.follow.tsv` golden file (see `Tests/Fixtures/make-follow-golden.sh`):
/// what `tshark -z follow,tcp,raw,N` reassembled for TCP stream N.
struct FollowGolden: CustomStringConvertible {
    /// What one node sent.
    struct Side {
        var byteCount: Int
        var sha256: String
        var head: String
        var tail: String
        /// tshark's gap markers: (index in the bytes, missing count).
        var gaps: [(position: Int, length: UInt64)]
    }

    var stream: Int
    var firstTime: Int64
    /// `ADDRESS:PORT` of node 0 (the first packet's sender) and node 1.
    var nodes: [String]
    var sides: [Side]

    var description: String { "stream \(stream) \(nodes[0]) ↔ \(nodes[1])" }

    /// The rows of a golden file.
    static func parse(_ text: String) -> [FollowGolden] {
        text.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            func side(_ at: Int) -> Side {
                let gaps: [(position: Int, length: UInt64)] = fields[at + 4] == "-" ? [] : fields[at + 4].split(separator: ",").map { gap in
                    let parts = gap.split(separator: "+")
                    return (Int(parts[0])!, UInt64(parts[1])!)
                }
                return Side(byteCount: Int(fields[at])!, sha256: fields[at + 1], head: fields[at + 2], tail: fields[at + 3], gaps: gaps)
            }
            return FollowGolden(stream: Int(fields[0])!, firstTime: Int64(fields[1])!, nodes: [fields[2], fields[3]],
                                sides: [side(4), side(9)])
        }
    }
}
