// Human output of exoctl: rows of cells rendered as left-aligned columns under a header,
// numbers right-aligned, so a listing reads like `ps` or `ss`.

/// A table with a header row; numeric columns are right-aligned.
struct TextTable {
    var header: [String]
    var rightAligned: Set<Int> = []
    var rows: [[String]] = []

    /// Renders header (unless `header` is false: the rows alone, sized to themselves) and
    /// rows, columns separated by two spaces, no trailing spaces.
    func render(header withHeader: Bool = true) -> String {
        let all = withHeader ? [header] + rows : rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (column, cell) in row.enumerated() where column < widths.count {
                widths[column] = max(widths[column], cell.count)
            }
        }
        return all.map { row in
            var line = ""
            for (column, cell) in row.enumerated() where column < widths.count {
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                let isLast = column == widths.count - 1
                if column > 0 { line += "  " }
                line += rightAligned.contains(column) ? pad + cell : cell + (isLast ? "" : pad)
            }
            return line
        }.joined(separator: "\n")
    }
}
