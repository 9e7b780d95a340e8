import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { amplitudeCsv, dates } from "../../fake-amplitude/csv.js";
import { CsvTruncatedError } from "../../src/csv/csv-rows.js";
import { cutAt, fixture, piecesOf, randomPieces, rowsOf, seededRandom } from "./support.js";

const T = "\t";

describe("an Amplitude export as rows", () => {
  it("keeps every cell's marker and gives blank lines as [''] between blocks", async () => {
    expect(await rowsOf([fixture("event-segmentation.csv")])).toEqual([
      [`${T}Weekly Active Users`],
      [`${T}Active users on the web app.`],
      [""],
      [`${T}Uniques`],
      [`${T}Page Viewed`],
      [""],
      [`${T}Segment`, `${T}2026-06-01`, `${T}2026-06-02`, `${T}2026-06-03`],
      [`${T}All Users`, "1520", "1610", "1498"],
      [`${T}[Previous] All Users`, "1402", "1391", "1455"],
    ]);
  });

  it("gives the same rows for LF line ends as for CRLF", async () => {
    const crlf = fixture("funnel-over-time.csv");
    const lf = crlf.replace(/\r\n/g, "\n");
    expect(await rowsOf([lf])).toEqual(await rowsOf([crlf]));
  });

  it("never leaves a CR at the end of a row, also when an LF file has a stray CRLF", async () => {
    const mixed = `"${T}A"\n"${T}B","1"\r\n"${T}C","2"\n`;
    expect(await rowsOf([mixed])).toEqual([[`${T}A`], [`${T}B`, "1"], [`${T}C`, "2"]]);
  });

  it("reads commas, doubled quotes and line breaks inside quoted cells", async () => {
    const rows = await rowsOf([fixture("quoted-cells-lf.csv")]);
    expect(rows.slice(0, 9)).toEqual([
      [`${T}Title with "quotes", a comma\nand a line break`],
      [`${T}Description`],
      [""],
      [`${T}Uniques`],
      [`${T}Page Viewed, "home"`],
      [""],
      [`${T}Segment`, `${T}2026-06-01`],
      [`${T}Users in "Paris, FR"`, "5"],
      [`${T}Line\nbreak`, "6"],
    ]);
  });

  it("keeps CRLF inside a quoted cell of a CRLF file, and an LF inside a quoted first cell", async () => {
    const crlfInside = `"${T}Title\r\nline 2"\r\n\r\n"${T}Segment","${T}2026-06-01"\r\n"${T}All","1"\r\n`;
    expect(await rowsOf([crlfInside])).toEqual([
      [`${T}Title\r\nline 2`],
      [""],
      [`${T}Segment`, `${T}2026-06-01`],
      [`${T}All`, "1"],
    ]);
    const lfInside = `"${T}Title\nline 2"\r\n\r\n"${T}Segment","${T}2026-06-01"\r\n"${T}All","1"\r\n`;
    expect(await rowsOf([lfInside])).toEqual([
      [`${T}Title\nline 2`],
      [""],
      [`${T}Segment`, `${T}2026-06-01`],
      [`${T}All`, "1"],
    ]);
  });

  it("gives trailing blank lines as blank rows, and no phantom row after the last line end", async () => {
    const rows = await rowsOf([fixture("quoted-cells-lf.csv")]);
    expect(rows.slice(9)).toEqual([[""], [""]]);
  });

  it("reads the last row of a text without a final line end", async () => {
    expect(await rowsOf([`"${T}Segment","${T}Total"\r\n"${T}All","7"`])).toEqual([
      [`${T}Segment`, `${T}Total`],
      [`${T}All`, "7"],
    ]);
    expect(await rowsOf([`"${T}only one line"`])).toEqual([[`${T}only one line`]]);
  });

  it("gives nothing for an empty text", async () => {
    expect(await rowsOf([])).toEqual([]);
    expect(await rowsOf(["", ""])).toEqual([]);
  });
});

describe("chunk boundaries", () => {
  const small = [
    `"${T}T"`,
    ``,
    `"${T}Segment","${T}2026-06-01"`,
    `"${T}a ""b"", c","1e3"`,
    `"${T}line\r\nbreak","-"`,
    ``,
  ].join("\r\n");

  it("give identical rows wherever one or two cuts fall (CRLF)", async () => {
    const whole = await rowsOf([small]);
    for (let i = 0; i <= small.length; i++) {
      for (let j = i; j <= small.length; j++) {
        expect(await rowsOf(cutAt(small, [i, j])), `cut at ${i} and ${j}`).toEqual(whole);
      }
    }
  });

  it("give identical rows wherever one or two cuts fall (LF)", async () => {
    const lf = small.replace(/\r\n/g, "\n");
    const whole = await rowsOf([lf]);
    for (let i = 0; i <= lf.length; i++) {
      for (let j = i; j <= lf.length; j++) {
        expect(await rowsOf(cutAt(lf, [i, j])), `cut at ${i} and ${j}`).toEqual(whole);
      }
    }
  });

  it.each([
    "event-segmentation.csv",
    "funnel-over-time.csv",
    "group-by.csv",
    "retention-values.csv",
    "quoted-cells-lf.csv",
    "backslash-t.csv",
    "no-markers.csv",
    "bom-raw.csv",
    "data-table.csv",
  ])("give identical rows for %s in one-character pieces and at random offsets", async (name) => {
    const text = fixture(name);
    const whole = await rowsOf([text]);
    expect(await rowsOf(piecesOf(text, 1))).toEqual(whole);
    const random = seededRandom(name.length);
    for (let round = 0; round < 50; round++) {
      const parts = randomPieces(text, 1 + Math.floor(random() * 12), random);
      expect(await rowsOf(parts), JSON.stringify(parts)).toEqual(whole);
    }
  });

  it("give identical rows for a large export in 4 KiB pieces", async () => {
    const header = ["Segment", ...dates("2026-01-01", 30)];
    const rows = Array.from({ length: 2000 }, (_, i) => [
      `Group, "${i}"`,
      ...Array.from({ length: 30 }, (_, k) => (k % 7 === 0 ? null : i * 30 + k)),
    ]);
    const text = amplitudeCsv({ title: "Big", metric: [["Uniques"]], header, rows });
    const whole = await rowsOf([text]);
    expect(whole).toHaveLength(2000 + 5);
    expect(whole[whole.length - 1]).toEqual([
      `${T}Group, "1999"`,
      "",
      ...Array.from({ length: 29 }, (_, k) => (k % 7 === 6 ? "" : String(1999 * 30 + k + 1))),
    ]);
    expect(await rowsOf(piecesOf(text, 4096))).toEqual(whole);
    expect(await rowsOf(piecesOf(text, 4097))).toEqual(whole);
  });
});

describe("a CSV cut inside a quoted cell", () => {
  it("fails with CsvTruncatedError", async () => {
    await expect(rowsOf([`"${T}Segment","${T}2026-06-01"\r\n"${T}All","15`])).rejects.toThrow(
      CsvTruncatedError,
    );
    await expect(rowsOf([`"${T}Segment"\r\n"${T}line\r\nbreak`])).rejects.toThrow(
      CsvTruncatedError,
    );
  });

  it("fails exactly when the cut leaves a quote open, wherever the cut falls", async () => {
    const text = fixture("group-by.csv");
    for (let cut = 0; cut <= text.length; cut++) {
      const prefix = text.slice(0, cut);
      // Between the CR and the LF of a line end the text is malformed either way.
      if (prefix.endsWith("\r")) continue;
      const open = (prefix.match(/"/g) ?? []).length % 2 === 1;
      const result = rowsOf(piecesOf(prefix, 16));
      if (open) await expect(result, `cut at ${cut}`).rejects.toThrow(CsvTruncatedError);
      else await expect(result, `cut at ${cut}`).resolves.toBeDefined();
    }
  });
});

describe("the rows, compared with papaparse (the reference)", () => {
  /** papaparse's rows for a whole text, without the empty row it gives after a final line end. */
  const reference = (text: string, newline: "\r\n" | "\n"): string[][] => {
    const rows = Papa.parse<string[]>(text, { delimiter: ",", newline }).data;
    const last = rows[rows.length - 1];
    if (text.endsWith("\n") && last?.length === 1 && last[0] === "") rows.pop();
    return rows;
  };

  /** A random well-formed CSV: quoted cells hold anything, unquoted ones no quote, comma or line end. */
  const randomCsv = (random: () => number, newline: "\r\n" | "\n"): string => {
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
    const quotedParts = ["a", "Users", "\t", '"', '""', ",", "\r\n", "\n", "\r", " ", "é😀", "1.5"];
    const plainParts = ["a", "7", "-0.25", "\t", " ", "é", "x\ry"];
    const lines: string[] = [];
    for (let r = 0; r < 1 + Math.floor(random() * 6); r++) {
      if (random() < 0.15) {
        lines.push("");
        continue;
      }
      const cells: string[] = [];
      for (let k = 0; k < 1 + Math.floor(random() * 5); k++) {
        const parts = Array.from({ length: Math.floor(random() * 4) }, () =>
          pick(random() < 0.6 ? quotedParts : plainParts),
        );
        const text = parts.join("");
        cells.push(
          random() < 0.7 || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text,
        );
      }
      lines.push(cells.join(","));
    }
    return lines.join(newline) + (random() < 0.7 ? newline : "");
  };

  it.each<"\r\n" | "\n">(["\r\n", "\n"])(
    "agree on 3,000 random well-formed texts, whole and cut at random (line end %j)",
    async (newline) => {
      const random = seededRandom(newline.length * 101);
      for (let i = 0; i < 3_000; i++) {
        const text = randomCsv(random, newline);
        const expected = reference(text, newline);
        expect(await rowsOf([text]), JSON.stringify(text)).toEqual(expected);
        expect(await rowsOf(randomPieces(text, 3, random)), JSON.stringify(text)).toEqual(expected);
      }
    },
  );
});
