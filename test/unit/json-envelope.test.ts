import { describe, expect, it } from "vitest";
import { EnvelopeError, unwrapEnvelope } from "../../src/body/json-envelope.js";
import { cutAt, fixture, fromParts, piecesOf, randomPieces, seededRandom } from "./support.js";

async function dataOf(parts: string[]): Promise<string> {
  let out = "";
  for await (const chunk of unwrapEnvelope(fromParts(parts))) out += chunk;
  return out;
}

/** Asserts that `body` gives `expected` wherever one or two cuts fall, empty pieces included. */
async function expectEveryCut(body: string, expected: string): Promise<void> {
  for (let i = 0; i <= body.length; i++) {
    for (let j = i; j <= body.length; j++) {
      const parts = cutAt(body, [i, j]);
      expect(await dataOf(parts), JSON.stringify(parts)).toBe(expected);
    }
  }
}

describe("the data string", () => {
  it("comes out decoded from Amplitude's envelope", async () => {
    const csv = fixture("funnel-over-time.csv");
    expect(await dataOf([JSON.stringify({ data: csv })])).toBe(csv);
  });

  it("comes out the same in one-character pieces and at random cuts", async () => {
    const csv = fixture("group-by.csv");
    const body = JSON.stringify({ data: csv });
    expect(await dataOf(piecesOf(body, 1))).toBe(csv);
    const random = seededRandom(3);
    for (let round = 0; round < 200; round++) {
      expect(await dataOf(randomPieces(body, 1 + Math.floor(random() * 20), random))).toBe(csv);
    }
  });

  it("is streamed: its first part comes before the whole body has been read", async () => {
    const csv = fixture("event-segmentation.csv").repeat(50);
    const pieces = piecesOf(JSON.stringify({ data: csv }), 100);
    let pulled = 0;
    async function* source(): AsyncGenerator<string> {
      for (const piece of pieces) {
        pulled++;
        yield piece;
      }
    }
    const chunks = unwrapEnvelope(source());
    const first = await chunks.next();
    expect(first.done).toBe(false);
    expect(csv.startsWith(first.value as string)).toBe(true);
    expect(pulled).toBeLessThan(pieces.length / 2);
  });

  it("may be empty", async () => {
    expect(await dataOf(['{"data":""}'])).toBe("");
  });

  it("keeps raw control characters (TAB, CR, LF) that a lenient server left unescaped", async () => {
    expect(await dataOf(['{"data":"\t\u0000a\r\n"}'])).toBe("\t\u0000a\r\n");
  });
});

describe("escape sequences split at every chunk boundary", () => {
  it("\\u00e9 and the surrogate pair \\ud83d\\ude00", async () => {
    await expectEveryCut('{"data":"caf\\u00e9 \\ud83d\\ude00!"}', "café 😀!");
  });

  it("escaped backslashes right before a cut, and before an escaped quote", async () => {
    await expectEveryCut('{"data":"a\\\\\\\\b\\\\\\"c\\\\"}', 'a\\\\b\\"c\\');
  });

  it('the escapes of an Amplitude CSV: \\t, \\r\\n, \\" and \\\\t', async () => {
    await expectEveryCut(
      JSON.stringify({ data: '"\tA ""b""","\\tC"\r\n' }),
      '"\tA ""b""","\\tC"\r\n',
    );
  });

  it("raw non-ASCII characters", async () => {
    await expectEveryCut('{"data":"Zürich ☕ 😀"}', "Zürich ☕ 😀");
  });
});

describe("other keys", () => {
  it("are skipped before and after data, whatever they hold", async () => {
    const body =
      '{ "meta" : {"x":"}\\"{","y":[1,{"z":"]\\\\"}],"w":"\\u00e9"},' +
      ' "n": -12.5e3, "t": true, "f": false, "z": null, "list": [[],{}],\n' +
      '"data":"\\tSegment","s":"{\\"data\\":\\"no\\"}", "end": [1, "2", {"3": 4}] }';
    await expectEveryCut(body, "\tSegment");
  });

  it("are skipped when they are long", async () => {
    const body = JSON.stringify({ noise: 'x\\"'.repeat(50_000), data: "abc", more: [1, 2] });
    expect(await dataOf(piecesOf(body, 4096))).toBe("abc");
  });

  it("do not change which data string counts: the first one", async () => {
    expect(await dataOf(['{"data":"first","data":"second"}'])).toBe("first");
  });
});

describe("a body that is not the envelope", () => {
  it("without a data key names the keys it has", async () => {
    const error = dataOf(['{"result": [], "status": "ok"}']);
    await expect(error).rejects.toThrow(EnvelopeError);
    await expect(error).rejects.toThrow(/no "data" string \(keys: result, status\)/);
  });

  it("without any key says so", async () => {
    await expect(dataOf(["{}"])).rejects.toThrow(/keys: none/);
  });

  it("with an error key shows what the error says", async () => {
    const body = JSON.stringify({
      error: { http_code: 500, message: "Query failed", metadata: { details: "timeout" } },
    });
    await expect(dataOf(piecesOf(body, 5))).rejects.toThrow(
      /keys: error\); it says: \{"http_code":500,"message":"Query failed","metadata":\{"details":"timeout"\}\}/,
    );
  });

  it("with data that is not a string counts as missing", async () => {
    await expect(dataOf(['{"data": null}'])).rejects.toThrow(/no "data" string \(keys: data\)/);
    await expect(dataOf(['{"data": ["a"]}'])).rejects.toThrow(/no "data" string/);
  });

  it("that is not a JSON object fails at once", async () => {
    await expect(dataOf(["[1,2]"])).rejects.toThrow(/expected "\{"/);
    await expect(dataOf(['"data"'])).rejects.toThrow(EnvelopeError);
  });

  it("that holds an invalid escape fails", async () => {
    await expect(dataOf(['{"data":"a\\qb"}'])).rejects.toThrow(/invalid escape/);
  });
});

describe("a body cut short", () => {
  const body = JSON.stringify({ data: fixture("event-segmentation.csv") });

  it("inside the data string fails with EnvelopeError, wherever the cut falls", async () => {
    const start = body.indexOf('"', 8) + 1;
    const end = body.lastIndexOf('"');
    for (let cut = start; cut < end; cut++) {
      await expect(dataOf(piecesOf(body.slice(0, cut), 7)), `cut at ${cut}`).rejects.toThrow(
        'the JSON response ends inside the "data" string',
      );
    }
  });

  it("before the data string or before the closing brace fails too", async () => {
    for (const cut of [0, 1, 5, 8, body.length - 1]) {
      await expect(dataOf([body.slice(0, cut)]), `cut at ${cut}`).rejects.toThrow(EnvelopeError);
    }
  });
});
