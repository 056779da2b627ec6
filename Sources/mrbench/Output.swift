import Foundation
import MRCore

/// Deterministic JSON for machines (`--json`): `JSONCoding`'s one line.
func printJSON<T: Encodable>(_ value: T) throws {
    print(try JSONCoding.text(value))
}

/// A plain text table for people.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { c in max(header[c].count, rows.map { $0[c].count }.max() ?? 0) }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }
    print(line(header))
    print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
    for r in rows { print(line(r)) }
}

/// Writes a line to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
