/** The width to fit output to: the terminal's columns, no limit when not a terminal. */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  return stream.isTTY ? stream.columns || 120 : Number.POSITIVE_INFINITY
}

/** A plain aligned table: no colours, no box drawing, readable in CI logs. */
export function renderTable(headers: string[], rows: string[][], maxWidth = terminalWidth()): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const fixed = widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0)
  const lastIndex = widths.length - 1
  widths[lastIndex] = Math.max(10, Math.min(widths[lastIndex] ?? 10, maxWidth - fixed))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === lastIndex ? truncate(cell, widths[i] ?? 10) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(headers), ...rows.map(line)].join('\n')
}

export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`
}
