/** Chart IDs are short alphanumeric strings, sometimes with `-` (or `_`). */
const CHART_ID = /^[A-Za-z0-9_-]+$/;

/**
 * The chart ID in a config entry: a bare ID, or any chart URL a user copies from the
 * browser (`.../chart/ID`, `.../chart/ID/edit/...`, `...?id=ID`, with or without the
 * scheme). Undefined when no ID can be read.
 */
export function chartIdFrom(entry: string): string | undefined {
  const text = entry.trim();
  if (CHART_ID.test(text)) return text;

  const url = parseUrl(text);
  if (!url) return undefined;

  const idParam = url.searchParams.get("id");
  if (idParam !== null && CHART_ID.test(idParam)) return idParam;

  const segments = url.pathname.split("/").filter((s) => s !== "");
  const chartAt = segments.lastIndexOf("chart");
  const candidate = chartAt >= 0 ? segments[chartAt + 1] : undefined;
  if (candidate !== undefined && candidate !== "new" && CHART_ID.test(candidate)) return candidate;
  return undefined;
}

function parseUrl(text: string): URL | undefined {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  try {
    const url = new URL(withScheme);
    return url.hostname.includes(".") || url.hostname === "localhost" ? url : undefined;
  } catch {
    return undefined;
  }
}
