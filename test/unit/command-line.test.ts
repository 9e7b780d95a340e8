import { describe, expect, it } from "vitest";
import { parsedByYargs, platformCommandLine } from "../../src/command-line.js";

/** What yargs makes of a command line: the parsed command, or the usage error's message. */
async function yargsReading(argv: string[]): Promise<unknown> {
  try {
    return await parsedByYargs(argv);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Plain paths, including ones yargs could read as something else if it were not told they are strings. */
const PATHS = [
  "secrets/config.json",
  "/abs/my file.json",
  "123",
  "1e3",
  "0x1f",
  "true",
  "a=b",
  "q'",
  "'quoted.json'",
  '"quoted.json"',
  "__proto__",
  "ünï.json",
];

describe("the platform's command lines, taken without loading yargs", () => {
  const lines: string[][] = [
    ["spec"],
    ...PATHS.flatMap((path) => [
      ["check", "--config", path],
      ["discover", "--config", path],
      ["read", "--config", path, "--catalog", "catalog.json"],
      ["read", "--catalog", path, "--config", "config.json"],
      ["read", "--config", "config.json", "--catalog", "catalog.json", "--state", path],
      ["read", "--state", path, "--catalog", "catalog.json", "--config", "config.json"],
    ]),
  ];

  it.each(lines.map((line) => [line.join(" "), line]))("%s: as yargs reads it", async (_, line) => {
    const taken = platformCommandLine(line);
    expect(taken).toBeDefined();
    expect(taken).toEqual(await yargsReading(line));
  });

  it.each<[string[]]>([
    [[]],
    [["help"]],
    [["--help"]],
    [["spec", "--debug"]],
    [["spec", "extra"]],
    [["check", "-h"]],
    [["check"]],
    [["check", "config.json"]],
    [["check", "--config"]],
    [["check", "--config", ""]],
    [["check", "--config", "-x"]],
    [["check", "--config=config.json"]],
    [["check", "--config", "a.json", "--config", "b.json"]],
    [["check", "--config", "a.json", "--catalog", "b.json"]],
    [["check", "--config", "a.json", "--debug"]],
    [["read", "--config", "a.json"]],
    [["read", "--config", "a.json", "--catalog", "b.json", "--state"]],
    [["Spec"]],
    [["sync"]],
    [["constructor"]],
    [["__proto__"]],
  ])("%j: left to yargs", (line) => {
    expect(platformCommandLine(line)).toBeUndefined();
  });

  it("agrees with yargs on every line of up to 5 words it takes from a mix of words", async () => {
    const words = [
      "spec",
      "check",
      "discover",
      "read",
      "help",
      "--config",
      "--catalog",
      "--state",
      "--debug",
      "-h",
      "x.json",
      "1e3",
      "'q'",
      "-",
      "",
    ];
    const lines: string[][] = [[]];
    for (let length = 1; length <= 5; length++) {
      for (const line of lines.filter((l) => l.length === length - 1)) {
        for (const word of words) lines.push([...line, word]);
      }
    }
    const taken = lines.filter((line) => platformCommandLine(line) !== undefined);
    expect(taken.length).toBeGreaterThan(10);
    for (const line of taken) {
      expect(platformCommandLine(line), line.join(" ")).toEqual(await yargsReading(line));
    }
  });
});

describe("--help", () => {
  it("says where the demo runs: in a clone of the repository, not in the image", async () => {
    const help = await parsedByYargs(["--help"]);
    expect(help.command).toBe("help");
    const usage = help.command === "help" ? help.usage : "";
    expect(usage).toContain(
      "Try it without an Amplitude account: clone https://github.com/airbyte-community/source-amplitude-charts and run npm run demo in it.",
    );
    expect(usage).toMatch(/Docs: https:\/\/github\.com\/\S+\/docs\/amplitude-charts\.md$/);
  });
});
