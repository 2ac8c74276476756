/**
 * CSV text for exports (RFC 4180, CRLF). The same cell rule as the server's
 * compare export (views/compare.py): text a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) gets a leading quote; numbers stay.
 */

const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A value → one CSV cell (quoted when needed, formulas defused). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  let text = String(value);
  if (FORMULA.test(text) && !NUMBER.test(text.trim())) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of values → CSV text, a header row first. */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return rows.map(row => row.map(csvCell).join(',') + '\r\n').join('');
}
