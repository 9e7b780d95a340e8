/**
 * Amplitude marks text cells with one leading TAB (a guard against spreadsheet
 * formulas); some exports show the two characters backslash-t instead.
 */
export function hasMarker(cell: string): boolean {
  const c = cell.charCodeAt(0);
  return c === 9 || (c === 92 && cell.charCodeAt(1) === 116);
}

/** The cell without its one leading marker; nothing else is trimmed. */
export function stripMarker(cell: string): string {
  const c = cell.charCodeAt(0);
  if (c === 9) return cell.slice(1);
  if (c === 92 && cell.charCodeAt(1) === 116) return cell.slice(2);
  return cell;
}

const DATE_HEADER = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/;

export function isDateHeader(header: string): boolean {
  return DATE_HEADER.test(header);
}

const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GROUPED_NUMBER = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;

/**
 * A value cell (marker already stripped) as a number, or null when it is empty or not
 * a number. Tolerates thousands separators, a trailing % (12.5% is 12.5) and a trailing
 * * (a point still computing).
 */
export function parseValue(cell: string): number | null {
  // Hot path (millions of cells): a plain number converts without a regex. Anything
  // Number() would read differently (hex, whitespace, Infinity) fails this check or gives
  // a non-finite value, and takes the careful path below.
  if (startsAndEndsLikeNumber(cell)) {
    const value = +cell;
    if (Number.isFinite(value)) return value;
  }
  let text = cell;
  if (!PLAIN_NUMBER.test(text)) {
    text = text.trim();
    if (text.endsWith("*")) text = text.slice(0, -1).trimEnd();
    if (text.endsWith("%")) text = text.slice(0, -1).trimEnd();
    if (GROUPED_NUMBER.test(text)) text = text.replace(/,/g, "");
    if (!PLAIN_NUMBER.test(text)) return null;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** A digit, sign or dot first, a digit last, and no `0x`/`0b`/`0o` prefix. */
function startsAndEndsLikeNumber(cell: string): boolean {
  const first = cell.charCodeAt(0);
  if (!(isDigit(first) || first === 45 || first === 43 || first === 46)) return false;
  if (!isDigit(cell.charCodeAt(cell.length - 1))) return false;
  const second = cell.charCodeAt(1);
  return !(first === 48 && ((second >= 65 && second <= 90) || (second >= 97 && second <= 122)));
}
