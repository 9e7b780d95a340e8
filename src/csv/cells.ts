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

/**
 * The start of the period a date cell names, as a local timestamp (`2026-06-01` ->
 * `2026-06-01T00:00:00`), or null when the cell is not a date.
 */
export function periodStartOf(cell: string): string | null {
  if (!DATE_HEADER.test(cell)) return null;
  return cell.length === 10 ? `${cell}T00:00:00` : cell;
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

/**
 * A value cell (marker already stripped) as the JSON text of its number, or "null": the
 * text `String(parseValue(cell))` gives. Most cells (counts, plain decimals) already are
 * that text and pass as they are. Converting them to a number and back would cost a
 * conversion per record, and V8 keeps every converted string in its number-string
 * cache, which moves ~80 kB to the old generation at each young-generation GC: the heap
 * grew ~5 MB/s while a large chart was written.
 */
export function valueJson(cell: string): string {
  if (isShortestNumberText(cell)) return cell;
  const value = parseValue(cell);
  return value === null ? "null" : String(value);
}

/**
 * True when `String(Number(cell)) === cell`, checked without converting: an optional
 * minus, no needless zeros, no exponent, at most 15 significant digits (any such decimal
 * survives a round trip through a double) and at most 5 zeros after "0." (JavaScript
 * writes 1e-7 and below in exponent form).
 */
export function isShortestNumberText(cell: string): boolean {
  const end = cell.length;
  let i = cell.charCodeAt(0) === 45 ? 1 : 0;
  let significant = 0;
  if (cell.charCodeAt(i) === 48) {
    // "0", or "0." then at most 5 zeros before the first significant digit.
    i++;
    if (i === end) return end === 1;
    if (cell.charCodeAt(i) !== 46) return false;
    i++;
    const zerosFrom = i;
    while (cell.charCodeAt(i) === 48) i++;
    if (i - zerosFrom > 5) return false;
  } else {
    while (isDigit(cell.charCodeAt(i))) {
      i++;
      significant++;
    }
    if (significant === 0) return false;
    if (i === end) return significant <= 15;
    if (cell.charCodeAt(i) !== 46) return false;
    i++;
  }
  const fractionFrom = i;
  while (isDigit(cell.charCodeAt(i))) {
    i++;
    significant++;
  }
  return i === end && i > fractionFrom && cell.charCodeAt(end - 1) !== 48 && significant <= 15;
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
