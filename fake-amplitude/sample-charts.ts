import { amplitudeCsv, dates, type ExportContent } from "./csv.js";
import { sampleDeveloperApi } from "./developer-api.js";
import type { FakeAmplitudeOptions, FakeChart } from "./server.js";

/**
 * The sample project the fake Amplitude serves for `npm run demo` (and for any test
 * that wants realistic charts): three saved charts in Amplitude's export style, built
 * with amplitudeCsv, the same on every run (no clock, no randomness). The chart IDs,
 * the config entries (one given as a chart URL) and the keys are those of
 * integration_tests/sample_config.json.
 */
export const SAMPLE_API_KEY = "sample-api-key-0000";
export const SAMPLE_SECRET_KEY = "sample-secret-key-0000";

export interface SampleChart {
  id: string;
  /** How the chart appears in the config's chart_ids (a bare ID or a chart URL). */
  configEntry: string;
  /** What kind of chart it stands for, for people reading the demo. */
  kind: string;
  /** The export, as amplitudeCsv takes it. */
  chart: ExportContent;
  /** How many leading table columns are labels (the rest are values). */
  labelColumns: number;
}

/** 14 days of daily active users, two segments: date headers, one label column. */
const dailyActiveUsers: SampleChart = {
  id: "k2d8s0a1",
  configEntry: "k2d8s0a1",
  kind: "event segmentation, daily time series",
  labelColumns: 1,
  chart: {
    title: "Daily Active Users",
    description: "Users who fired any active event, per day (project time zone)",
    metric: [["Uniques"], ["Any Active Event"]],
    header: ["Segment", ...dates("2026-11-09", 14)],
    rows: [
      [
        "All Users",
        ...[
          15204, 15873, 16120, 15987, 14862, 9871, 9420, 15530, 16012, 16388, 16254, 15101, 10105,
          9644,
        ],
      ],
      [
        "New Users",
        ...[1312, 1398, 1421, 1377, 1250, 802, 771, 1355, 1432, 1460, 1448, 1290, 845, 790],
      ],
    ],
  },
};

/**
 * Weekly sign-ups grouped by country, compared with the previous period: two label
 * columns, the Segment cell left empty where it repeats the row above (forward-filled
 * by the connector), `[Previous] ` comparison rows, and one empty cell (a null value).
 */
const weeklySignupsByCountry: SampleChart = {
  id: "m7x3q9wz",
  configEntry: "https://app.amplitude.com/analytics/acme/chart/m7x3q9wz",
  kind: "event segmentation, weekly, grouped by country, with period comparison",
  labelColumns: 2,
  chart: {
    title: "Weekly Signups by Country",
    metric: [["Event Totals"], ["Sign Up Completed"]],
    header: ["Segment", "Country", "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"],
    rows: [
      ["All Users", "United States", 1284, 1342, 1397, 1451],
      ["", "Germany", 402, 388, 421, 436],
      ["", "United Kingdom", 356, 371, 349, 380],
      ["", "Canada", 198, 205, 221, null],
      ["", "(none)", 41, 37, 44, 39],
      ["[Previous] All Users", "United States", 1190, 1236, 1251, 1302],
      ["", "Germany", 377, 365, 398, 401],
      ["", "United Kingdom", 331, 342, 336, 350],
      ["", "Canada", 176, 181, 190, 204],
      ["", "(none)", 45, 40, 38, 42],
    ],
  },
};

/**
 * A three-step conversion funnel per segment: value columns labelled by step (not by
 * date), conversion as fractions, and a ratio-style metric block (two cells on one row).
 */
const onboardingFunnel: SampleChart = {
  id: "p4n6r2tb",
  configEntry: "p4n6r2tb",
  kind: "funnel, conversion by step",
  labelColumns: 1,
  chart: {
    title: "Onboarding Funnel",
    description: "Account created to first project within 7 days",
    metric: [
      ["Conversion", "Overall"],
      ["Account Created", "Onboarding Checklist Viewed", "First Project Created"],
    ],
    header: [
      "Segment",
      "Step 1: Account Created",
      "Step 2: Onboarding Checklist Viewed",
      "Step 3: First Project Created",
    ],
    rows: [
      ["All Users", 1, 0.7342, 0.4127],
      ["Organic Signups", 1, 0.7811, 0.4689],
      ["Paid Campaign Signups", 1, 0.6528, 0.3105],
    ],
  },
};

/**
 * Daily Active Users as Amplitude shows it on a later day: its "last 14 days" window moved
 * by `shift` days. The first window's days keep their values, later days follow the same
 * weekly pattern, and the previous sync's last day, still in progress then, is restated
 * (a little higher: late events), as Amplitude restates recent days.
 */
export interface HistorySync {
  /** The sync's place: days since the first window's start. */
  shift: number;
  /** The export on that day. */
  csv: string;
  /** Its first and last day. */
  window: [string, string];
}

/** The daily chart on three sync days, 3 days apart: what `npm run demo` shows of history. */
export function sampleHistory(): HistorySync[] {
  const chart = dailyActiveUsers.chart;
  const [, ...firstDays] = chart.header;
  const first = firstDays[0] as string;
  const span = firstDays.length;
  const valuesOf = (row: number): number[] => (chart.rows[row] ?? []).slice(1) as number[];
  // A day's value: the first window's, else the same weekday's two weeks earlier, +2 %.
  const value = (row: number, day: number): number => {
    const known = valuesOf(row);
    return day < known.length ? (known[day] as number) : Math.round(value(row, day - 14) * 1.02);
  };
  const shifts = [0, 3, 6];
  return shifts.map((shift, sync) => {
    const days = dates(first, shift + span).slice(shift);
    // The earlier syncs' last days were still in progress then: Amplitude restated them, 3 % higher.
    const restated = new Set(shifts.slice(0, sync).map((earlier) => earlier + span - 1));
    const rows = chart.rows.map((labels, row) => [
      labels[0] as string,
      ...days.map((_, k) => {
        const day = shift + k;
        return restated.has(day) ? Math.round(value(row, day) * 1.03) : value(row, day);
      }),
    ]);
    return {
      shift,
      csv: amplitudeCsv({ ...chart, header: ["Segment", ...days], rows }),
      window: [days[0] as string, days.at(-1) as string],
    };
  });
}

/** The sample charts, in config order. */
export const SAMPLE_CHARTS: readonly SampleChart[] = [
  dailyActiveUsers,
  weeklySignupsByCountry,
  onboardingFunnel,
];

/** The config's chart_ids for the sample project (the second one as a chart URL). */
export const sampleChartEntries = (): string[] => SAMPLE_CHARTS.map((c) => c.configEntry);

/** The fake's chart map: chart ID -> its export (the JSON envelope, as Amplitude sends it). */
export function sampleCharts(): Record<string, FakeChart> {
  return Object.fromEntries(SAMPLE_CHARTS.map((c) => [c.id, { csv: amplitudeCsv(c.chart) }]));
}

/**
 * The fake's options for the sample project: keys and charts, no faults, and the Developer
 * API's view of the same charts (used only by a config with developer_api_token).
 */
export const sampleProject = (): FakeAmplitudeOptions => ({
  apiKey: SAMPLE_API_KEY,
  secretKey: SAMPLE_SECRET_KEY,
  charts: sampleCharts(),
  developerApi: sampleDeveloperApi(),
});

/**
 * What a read of the sample project gives: records per stream (one per table row and
 * value column; one metadata record per chart), and each chart's title.
 */
export function sampleExpectations(): {
  recordCounts: Record<string, number>;
  titles: Record<string, string>;
} {
  const recordCounts: Record<string, number> = { charts_metadata: SAMPLE_CHARTS.length };
  const titles: Record<string, string> = {};
  for (const c of SAMPLE_CHARTS) {
    recordCounts[`chart_${c.id}`] = c.chart.rows.length * (c.chart.header.length - c.labelColumns);
    titles[c.id] = c.chart.title;
  }
  return { recordCounts, titles };
}
