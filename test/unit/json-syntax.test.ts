import { describe, expect, it } from "vitest";
import { jsonSyntaxError } from "../../src/config/json-syntax.js";
import { unknownOptions, unknownOptionsWarning } from "../../src/config/config-warnings.js";
import { seededRandom } from "./support.js";

describe("a JSON mistake", () => {
  it.each<[string, string, number, number, string]>([
    [
      "a comma before ]",
      '{\n  "chart_ids": ["a", "b",],\n  "x": 1\n}',
      2,
      25,
      "a comma before ] (remove it)",
    ],
    ["a comma before }", '{\n  "api_key": "k",\n}', 2, 17, "a comma before } (remove it)"],
    [
      "a missing comma",
      '{"a": "b"\n "c": 1}',
      2,
      2,
      "expected ',' or '}' after a value (a missing comma?), found '\"'",
    ],
    ["a missing colon", '{"a" 1}', 1, 6, "expected ':' after the property name, found '1'"],
    ["a name without quotes", "{\n  api_key: 1}", 2, 3, "a property name not in double quotes"],
    ["single quotes", "{'a': 1}", 1, 2, "a property name not in double quotes"],
    [
      "a single-quoted value",
      "{\"a\": 'b'}",
      1,
      7,
      "a string in single quotes (JSON needs double quotes)",
    ],
    ["the end too early", '{"a": [1, 2]', 1, 13, "the file ends too early (a missing } or ]?)"],
    ["a comment", '{\n  // keys\n  "a": 1}', 2, 3, "a comment (JSON has none: remove it)"],
    [
      "a raw line break in a string",
      '{"a": "x\ny"}',
      1,
      9,
      "a line break or control character inside a string (write it as \\n, \\t, ...)",
    ],
    ["an unclosed string", '{"a": "x}', 1, 7, 'a string that is never closed (a missing ")'],
    [
      "text after the JSON",
      '{"a": 1}\n}',
      2,
      1,
      "more text after the end of the JSON (a stray } or ], or two objects)",
    ],
    [
      "a wrong literal",
      '{"a": True}',
      1,
      7,
      "expected a value (a string in double quotes, a number, true, false, null, an object or an array), found 'T'",
    ],
    [
      "a bad escape",
      '{"a": "C:\\Users"}',
      1,
      10,
      "an invalid escape in a string (a lone backslash? write \\\\)",
    ],
  ])("%s: line and column, and what it is", (_, text, line, column, problem) => {
    expect((): unknown => JSON.parse(text)).toThrow();
    expect(jsonSyntaxError(text)).toEqual({ line, column, problem });
  });

  it("is found in an empty file", () => {
    expect(jsonSyntaxError(" \n")?.problem).toBe("the file is empty");
  });

  it("is never reported for valid JSON, and always where JSON.parse fails (random documents)", () => {
    const random = seededRandom(7);
    const value = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (pick === 0) return Math.round(random() * 1e6) / 100 - 5000;
      if (pick === 1) return ['é\u2028"\\\n', "tab\t", ""][Math.floor(random() * 3)];
      if (pick === 2) return [true, false, null][Math.floor(random() * 3)];
      if (pick === 3) return "x";
      if (pick === 4)
        return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, (_, i) => [`k${i}`, value(depth + 1)]),
      );
    };
    for (let n = 0; n < 300; n++) {
      const text = JSON.stringify(value(0), null, n % 2 === 0 ? 2 : undefined);
      expect(jsonSyntaxError(text), text).toBeUndefined();
      // Cut anywhere, or with a character dropped: JSON.parse and we agree it is broken.
      const at = Math.floor(random() * text.length);
      for (const broken of [text.slice(0, at), text.slice(0, at) + text.slice(at + 1)]) {
        let parses = true;
        try {
          JSON.parse(broken);
        } catch {
          parses = false;
        }
        expect(jsonSyntaxError(broken) === undefined, broken).toBe(parses);
      }
    }
  });
});

describe("options the spec does not know", () => {
  it.each([
    ["region", "data_region"],
    ["request_timeout", "request_timeout_seconds"],
    ["max_concurrent_request", "max_concurrent_requests"],
    ["apiKey", "api_key"],
    ["Secret Key", "secret_key"],
    ["chartIds", "chart_ids"],
    ["baseurl", "base_url"],
  ])("%s probably means %s", (name, probably) => {
    expect(unknownOptions({ [name]: 1, api_key: "k" })).toEqual([{ name, probably }]);
  });

  it("are named without a guess when nothing is close", () => {
    expect(unknownOptions({ project_name: "x" })).toEqual([
      { name: "project_name", probably: undefined },
    ]);
  });

  it("make one WARN line naming each, never their values", () => {
    const warning = unknownOptionsWarning({ region: "EU Residency Server", extra_field: "s3cr3t" });
    expect(warning).toBe(
      'The config has options this connector does not know, which are ignored: "region" (did you mean "data_region"?), "extra_field". Fix the name, or remove it.',
    );
    expect(unknownOptionsWarning({ api_key: "k", chart_ids: [] })).toBeUndefined();
  });
});
