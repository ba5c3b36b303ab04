/**
 * Text helpers of the command-line tool. Values that come from the database or from pasted input
 * (connection ids, org names) go through {@link printable} so they cannot break a line or send
 * terminal escape sequences.
 */

/** `text` on one line with control characters shown as `?`. */
export function printable(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Joins the lines of a (multi-line) message into one and shows control characters as `?`. */
export function oneLine(text: string): string {
  return printable(text.replace(/\s*\r?\n\s*/g, ' ').trim());
}

/** Writes one line to stdout (results only; messages about failures go to stderr). */
export function printLine(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes one line to stderr. */
export function printError(line: string): void {
  process.stderr.write(`${oneLine(line)}\n`);
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function formatTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  '));
}

/** `Acme Roofing (1)`, or `unknown` when Hover's profile named no org. */
export function describeOrg(name: string | null, id: string | null): string {
  if (name === null && id === null) return 'unknown';
  return `${printable(name ?? 'unnamed org')} (${id === null ? 'unknown id' : printable(id)})`;
}
