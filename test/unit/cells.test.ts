import { describe, expect, it } from "vitest";
import { seededRandom } from "./support.js";
import {
  hasMarker,
  isDateHeader,
  isShortestNumberText,
  parseValue,
  stripMarker,
  valueJson,
} from "../../src/csv/cells.js";

describe("the text marker Amplitude puts before text cells", () => {
  it("is a leading TAB or the two characters backslash-t", () => {
    expect(hasMarker("\tAll Users")).toBe(true);
    expect(hasMarker("\\tAll Users")).toBe(true);
    expect(hasMarker("\t")).toBe(true);
    expect(hasMarker("\\t")).toBe(true);
  });

  it("is not a number, an empty cell, a lone backslash or a TAB further in", () => {
    expect(hasMarker("1520")).toBe(false);
    expect(hasMarker("")).toBe(false);
    expect(hasMarker("\\")).toBe(false);
    expect(hasMarker("\\n")).toBe(false);
    expect(hasMarker(" \tx")).toBe(false);
    expect(hasMarker("x\t")).toBe(false);
  });
});

describe("stripping the marker", () => {
  it("removes exactly one leading TAB", () => {
    expect(stripMarker("\tAll Users")).toBe("All Users");
    expect(stripMarker("\t\tIndented")).toBe("\tIndented");
    expect(stripMarker("\t")).toBe("");
  });

  it("removes exactly one leading backslash-t", () => {
    expect(stripMarker("\\tAll Users")).toBe("All Users");
    expect(stripMarker("\\t\\tabs")).toBe("\\tabs");
    expect(stripMarker("\\t")).toBe("");
  });

  it("trims nothing else", () => {
    expect(stripMarker("\t  spaced  ")).toBe("  spaced  ");
    expect(stripMarker(" \tlead")).toBe(" \tlead");
    expect(stripMarker("trail\t")).toBe("trail\t");
    expect(stripMarker("1520")).toBe("1520");
    expect(stripMarker("")).toBe("");
  });
});

describe("date headers", () => {
  it.each(["2026-06-01", "2025-06-02T00:00:00", "1999-12-31T23:59:59"])("%s is a date", (h) => {
    expect(isDateHeader(h)).toBe(true);
  });

  it.each([
    "Segment",
    "Day 0",
    "Step 1: Sign Up",
    "Total",
    "2026-06",
    "2026-06-01 00:00:00",
    "2026-06-01T00:00",
    "2026-06-01Z",
    " 2026-06-01",
    "Week of 2026-06-01",
  ])("%s is not a date", (h) => {
    expect(isDateHeader(h)).toBe(false);
  });
});

describe("value cells as numbers", () => {
  it.each<[string, number]>([
    ["1520", 1520],
    ["0.2279556", 0.2279556],
    ["1e3", 1000],
    ["2.5E-7", 2.5e-7],
    ["-3", -3],
    ["+4.5", 4.5],
    [".5", 0.5],
    ["0", 0],
  ])("a plain number %j gives %d", (cell, value) => {
    expect(parseValue(cell)).toBe(value);
  });

  it.each<[string, number]>([
    ["1,234", 1234],
    ["1,234,567.5", 1234567.5],
    ["-1,000", -1000],
    ["12.5%", 12.5],
    ["100%", 100],
    ["42*", 42],
    ["7.5%*", 7.5],
    ["1,234*", 1234],
  ])("a tolerated form %j gives %d", (cell, value) => {
    expect(parseValue(cell)).toBe(value);
  });

  it.each([
    "",
    "-",
    "NaN",
    "n/a",
    "N/A",
    "Infinity",
    "-Infinity",
    "0x10",
    "1,23",
    "12,34,567",
    "12.5.1",
    "1 000",
    "%",
    "*",
    "abc",
    "12abc",
  ])("%j gives null", (cell) => {
    expect(parseValue(cell)).toBeNull();
  });

  it.each(["1e999", "-1e999", "9".repeat(400), "1e400%"])(
    "%j overflows to null, never Infinity",
    (cell) => {
      expect(parseValue(cell)).toBeNull();
    },
  );
});

describe("parseValue's fast path", () => {
  /** The rules without any shortcut: what parseValue must agree with on every input. */
  const reference = (cell: string): number | null => {
    let text = cell.trim();
    if (text.endsWith("*")) text = text.slice(0, -1).trimEnd();
    if (text.endsWith("%")) text = text.slice(0, -1).trimEnd();
    if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) text = text.replace(/,/g, "");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return null;
    const value = Number(text);
    return Number.isFinite(value) ? value : null;
  };

  it("agrees with the plain rules on 50,000 random number-like strings", () => {
    const random = seededRandom(7);
    const alphabet = "0123456789+-.eExXbBoO ,%*_I";
    for (let i = 0; i < 50_000; i++) {
      const length = Math.floor(random() * 9);
      let cell = "";
      for (let j = 0; j < length; j++)
        cell += alphabet.charAt(Math.floor(random() * alphabet.length));
      expect(parseValue(cell), JSON.stringify(cell)).toBe(reference(cell));
    }
  });

  it.each([
    "0x10",
    "0b11",
    "0o7",
    "+0x10",
    " 12",
    "12 ",
    "1_000",
    "Infinity",
    "-Infinity",
    "1e999",
  ])("does not let Number() read %j its own way", (cell) => {
    expect(parseValue(cell)).toBe(reference(cell));
  });
});

describe("value cells as JSON text", () => {
  /** What a record carried before the shortcut: the parsed number, converted back. */
  const reference = (cell: string): string => {
    const value = parseValue(cell);
    return value === null ? "null" : String(value);
  };

  it.each<[string, string]>([
    ["1520", "1520"],
    ["0", "0"],
    ["-3", "-3"],
    ["0.2279556", "0.2279556"],
    ["0.000001", "0.000001"],
    ["123456789012345", "123456789012345"],
    ["-0", "0"],
    ["1.50", "1.5"],
    ["007", "7"],
    ["+4", "4"],
    [".5", "0.5"],
    ["5.", "5"],
    ["1e3", "1000"],
    ["0.0000001", "1e-7"],
    ["1234567890123456789", "1234567890123456800"],
    ["0.30000000000000004", "0.30000000000000004"],
    ["1,234", "1234"],
    ["12.5%", "12.5"],
    ["n/a", "null"],
    ["", "null"],
  ])("%j is %s", (cell, json) => {
    expect(valueJson(cell)).toBe(json);
  });

  it("agrees with the parsed number on 100,000 random number-like strings", () => {
    const random = seededRandom(11);
    const alphabet = "00001123456789-.e,%";
    for (let i = 0; i < 100_000; i++) {
      const length = 1 + Math.floor(random() * 18);
      let cell = "";
      for (let j = 0; j < length; j++)
        cell += alphabet.charAt(Math.floor(random() * alphabet.length));
      expect(valueJson(cell), JSON.stringify(cell)).toBe(reference(cell));
    }
  });

  it("passes what JavaScript itself writes for counts, decimals and ratios as it is", () => {
    const random = seededRandom(13);
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(random() * 15);
      const scale = 10 ** Math.floor(random() * (digits + 6));
      const value = Math.floor(random() * 10 ** digits) / scale;
      const text = String(random() < 0.2 ? -value : value);
      if (text.includes("e")) continue;
      const significantDigits = text.replace(/[-.]/g, "").replace(/^0+/, "").length;
      expect(isShortestNumberText(text), text).toBe(significantDigits <= 15);
    }
  });
});
