import { amplitudeCsv } from "../../fake-amplitude/csv.js";

/**
 * Chart exports the e2e tests read, each with the records and metadata the contract
 * says they give. Written out by hand where the builder cannot (unmarked text,
 * `12.5%`, backslash-t markers, a byte-order mark).
 */
const T = "\t";

/** A record's period_start: a date column's or Time label's local timestamp, else null. */
export function periodOf(dateOrLabel: string): string | null {
  if (/^\d{4}-\d{2}-\d{2}$/.test(dateOrLabel)) return `${dateOrLabel}T00:00:00`;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(dateOrLabel) ? dateOrLabel : null;
}

/** A time series, JSON envelope, CRLF, TAB markers, a description, a multi-line label. */
export const WAU = {
  id: "wau01abc",
  csv: amplitudeCsv({
    title: "Weekly Active Users",
    description: "Active users on the web app.",
    metric: [["Uniques"], ["Page Viewed"]],
    header: ["Segment", "2026-06-01", "2026-06-02T00:00:00"],
    rows: [
      ["All Users", 1520, 1610],
      ["[Previous] All Users", 1400, null],
      ["Power\r\nUsers", 0.2279556, 12],
    ],
  }),
  records: [
    ["All Users", "2026-06-01", 1520],
    ["All Users", "2026-06-02T00:00:00", 1610],
    ["[Previous] All Users", "2026-06-01", 1400],
    ["[Previous] All Users", "2026-06-02T00:00:00", null],
    ["Power\r\nUsers", "2026-06-01", 0.2279556],
    ["Power\r\nUsers", "2026-06-02T00:00:00", 12],
  ].map(([label, segment, value]) => ({
    chart_id: "wau01abc",
    dimension_name: "Segment",
    dimension_value: label,
    segment,
    value,
    dimensions: { Segment: label },
    period_start: periodOf(segment as string),
  })),
  metadata: {
    chart_id: "wau01abc",
    title: "Weekly Active Users",
    description: "Active users on the web app.",
    metric: "Uniques",
    event: "Page Viewed",
    dimension: null,
    filters: null,
  },
};

/**
 * Two label columns (forward-filled, one label holding "; ", a comma and quotes, one
 * with two leading TABs, a marked "4"), non-date value columns, every value spelling.
 */
const funnelLines = [
  `"${T}Signup Funnel"`,
  ``,
  `"${T}Conversion Over Time","${T}Overall"`,
  `"${T}Sign Up","${T}Purchase"`,
  ``,
  `"${T}Segment","${T}Country","${T}Step 1: Sign Up","${T}Step 2: Purchase"`,
  `"${T}All Users","${T}Canada","12.5%","3*"`,
  `"${T}","${T}France, ""Metro""","-","1e3"`,
  `"${T}New; Returning","","NaN","2.5E-7"`,
  `"${T}${T}Indented","${T}4","n/a","1,234"`,
  `"","${T}Peru","","0.5"`,
];
export const FUNNEL = {
  id: "fun-02",
  csv: funnelLines.join("\r\n") + "\r\n",
  records: [
    ["All Users", "Canada", "Step 1: Sign Up", 12.5],
    ["All Users", "Canada", "Step 2: Purchase", 3],
    ["All Users", 'France, "Metro"', "Step 1: Sign Up", null],
    ["All Users", 'France, "Metro"', "Step 2: Purchase", 1000],
    ["New; Returning", 'France, "Metro"', "Step 1: Sign Up", null],
    ["New; Returning", 'France, "Metro"', "Step 2: Purchase", 2.5e-7],
    [`${T}Indented`, "4", "Step 1: Sign Up", null],
    [`${T}Indented`, "4", "Step 2: Purchase", 1234],
    [`${T}Indented`, "Peru", "Step 1: Sign Up", null],
    [`${T}Indented`, "Peru", "Step 2: Purchase", 0.5],
  ].map(([segment, country, column, value]) => ({
    chart_id: "fun-02",
    dimension_name: "Segment; Country",
    dimension_value: `${segment as string}; ${country as string}`,
    segment: column,
    value,
    dimensions: { Segment: segment, Country: country },
    period_start: null,
  })),
  metadata: {
    chart_id: "fun-02",
    title: "Signup Funnel",
    description: null,
    metric: "Conversion Over Time",
    event: "Sign Up; Purchase",
    dimension: "Country",
    filters: null,
  },
};

/**
 * Raw text/csv with LF line ends, a byte-order mark and backslash-t markers; the table's
 * first header is not `Segment` (so the last block is the table); an empty metric block.
 */
const retentionLines = [
  `\uFEFF"\\tRetention"`,
  ``,
  `"\\t"`,
  ``,
  `"\\tCohort","\\tDay 0","\\tDay 1"`,
  `"\\t2026-06-01","100","45.5"`,
  `"\\t2026-06-08","90",""`,
];
export const RETENTION = {
  id: "ret3",
  csv: retentionLines.join("\n") + "\n",
  records: [
    ["2026-06-01", "Day 0", 100],
    ["2026-06-01", "Day 1", 45.5],
    ["2026-06-08", "Day 0", 90],
    ["2026-06-08", "Day 1", null],
  ].map(([cohort, segment, value]) => ({
    chart_id: "ret3",
    dimension_name: "Cohort",
    dimension_value: cohort,
    segment,
    value,
    dimensions: { Cohort: cohort },
    // The cohort's date is a label, not the period of a value: retention has none.
    period_start: null,
  })),
  metadata: {
    chart_id: "ret3",
    title: "Retention",
    description: null,
    metric: null,
    event: null,
    dimension: null,
    filters: null,
  },
};

/** An export without any markers (a user setting): text is what is not a number. */
export const PLAIN = {
  id: "plain4",
  csv: amplitudeCsv({
    title: "Daily Uniques",
    metric: [["Uniques", "Any Active Event"]],
    header: ["Segment", "Platform", "2026-06-01", "2026-06-02"],
    rows: [
      ["All Users", "iOS", 10, 20],
      ["", "Android", 7, null],
    ],
    marker: "",
  }),
  records: [
    ["iOS", "2026-06-01", 10],
    ["iOS", "2026-06-02", 20],
    ["Android", "2026-06-01", 7],
    ["Android", "2026-06-02", null],
  ].map(([platform, segment, value]) => ({
    chart_id: "plain4",
    dimension_name: "Segment; Platform",
    dimension_value: `All Users; ${platform as string}`,
    segment,
    value,
    dimensions: { Segment: "All Users", Platform: platform },
    period_start: periodOf(segment as string),
  })),
  metadata: {
    chart_id: "plain4",
    title: "Daily Uniques",
    description: null,
    metric: "Uniques",
    event: "Any Active Event",
    dimension: "Platform",
    filters: null,
  },
};

/**
 * A data table, as Amplitude exports one: no `Segment` header, the group-bys (one numeric)
 * and `Time` as labels, value columns named `<metric>--<segment>`, and the TAB marker on
 * every cell, numbers included.
 */
const dataTableLines = [
  `"${T}Renewals by Country"`,
  ``,
  `"${T}country","${T}year","${T}Time","${T}Renewals--All Users","${T}Revenue--All Users"`,
  `"${T}Canada","${T}2025","${T}2026-03-05","${T}28.0","${T}1520.5"`,
  `"${T}","${T}","${T}2026-03-06","${T}31","${T}"`,
  `"${T}Peru","${T}2026","${T}2026-03-05","${T}7.0","${T}240.25"`,
];
export const DATA_TABLE = {
  id: "dt6",
  csv: dataTableLines.join("\r\n") + "\r\n",
  records: [
    ["Canada", "2025", "2026-03-05", "Renewals--All Users", 28],
    ["Canada", "2025", "2026-03-05", "Revenue--All Users", 1520.5],
    ["Canada", "2025", "2026-03-06", "Renewals--All Users", 31],
    ["Canada", "2025", "2026-03-06", "Revenue--All Users", null],
    ["Peru", "2026", "2026-03-05", "Renewals--All Users", 7],
    ["Peru", "2026", "2026-03-05", "Revenue--All Users", 240.25],
  ].map(([country, year, time, segment, value]) => ({
    chart_id: "dt6",
    dimension_name: "country; year; Time",
    dimension_value: `${country as string}; ${year as string}; ${time as string}`,
    segment,
    value,
    dimensions: { country, year, Time: time },
    period_start: periodOf(time as string),
  })),
  metadata: {
    chart_id: "dt6",
    title: "Renewals by Country",
    description: null,
    metric: null,
    event: null,
    dimension: "year; Time",
    filters: null,
  },
};

/** A table with a header and no rows: a stream with no records. */
export const EMPTY = {
  id: "empty5",
  csv: amplitudeCsv({
    title: "Nothing Yet",
    metric: [["Uniques"], ["Rare Event"]],
    header: ["Segment", "2026-06-01"],
    rows: [],
  }),
  records: [] as Record<string, unknown>[],
  metadata: {
    chart_id: "empty5",
    title: "Nothing Yet",
    description: null,
    metric: "Uniques",
    event: "Rare Event",
    dimension: null,
    filters: null,
  },
};

/** A small chart with `rows` segments x 3 days, for fault and concurrency tests. */
export function smallChart(title: string, rows = 2): string {
  return amplitudeCsv({
    title,
    metric: [["Uniques"], ["Page Viewed"]],
    header: ["Segment", "2026-06-01", "2026-06-02", "2026-06-03"],
    rows: Array.from({ length: rows }, (_, i) => [`Segment ${i}`, i * 10 + 1, i * 10 + 2, i]),
  });
}

/** The records `smallChart` gives, as (dimension_value, segment, value). */
export function smallChartRecords(rows = 2): [string, string, number][] {
  return Array.from({ length: rows }, (_, i) =>
    (
      [
        ["2026-06-01", i * 10 + 1],
        ["2026-06-02", i * 10 + 2],
        ["2026-06-03", i],
      ] as const
    ).map(([segment, value]): [string, string, number] => [`Segment ${i}`, segment, value]),
  ).flat();
}
