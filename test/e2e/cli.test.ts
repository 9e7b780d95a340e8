import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { FUNNEL, WAU } from "../helpers/charts.js";
import {
  completed,
  configFor,
  connectionStatus,
  run,
  serve,
  stopFakes,
  timeline,
} from "../helpers/connector.js";
import { errorTraces, records } from "../helpers/protocol.js";

/*
 * The built CLI as a child process, as the platform runs it: what only a real process
 * shows (its exit code, its stderr, a pipe for stdout, its working directory). The
 * connector's behaviour in detail is tested in process, in test/source.
 */
afterAll(stopFakes);

const SPEC_JSON = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "spec.json");
const specJson = JSON.parse(readFileSync(SPEC_JSON, "utf8")) as Record<string, unknown>;

describe.concurrent("the CLI", () => {
  it("reads charts: every record, the stream lifecycle, exit 0", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv }, [FUNNEL.id]: { csv: FUNNEL.csv } });
    const result = await run("read", {
      config: configFor(fake, [WAU.id, FUNNEL.id]),
      catalog: [`chart_${WAU.id}`, `chart_${FUNNEL.id}`, "charts_metadata"],
      via: "cli",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe("");
    expect(records(result.messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(records(result.messages, `chart_${FUNNEL.id}`)).toEqual(FUNNEL.records);
    expect(records(result.messages, "charts_metadata")).toEqual([WAU.metadata, FUNNEL.metadata]);
    expect(timeline(result.messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
  });

  it("a chart that fails among good ones: the others complete, exit 1, one line on stderr", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("read", {
      config: configFor(fake, ["gone404", WAU.id]),
      catalog: ["chart_gone404", `chart_${WAU.id}`],
      via: "cli",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "source-amplitude-charts: the read finished with failed streams; see the ERROR traces on stdout.\n",
    );
    expect(errorTraces(result.messages).map((e) => e.stream_descriptor?.name)).toEqual([
      "chart_gone404",
    ]);
    expect(timeline(result.messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
  });

  it("checks a config from another working directory: SUCCEEDED, exit 0", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const result = await run("check", {
      config: configFor(fake, [WAU.id]),
      cwd: tmpdir(),
      via: "cli",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(connectionStatus(result.messages).status).toBe("SUCCEEDED");
  });

  it("prints one SPEC message equal to spec.json", async () => {
    const result = await run("spec", { via: "cli" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]?.type).toBe("SPEC");
    expect(result.messages[0]?.spec).toEqual(specJson);
  });

  it("works from any working directory, and with unknown flags", async () => {
    const result = await run("spec", { cwd: tmpdir(), extra: ["--debug"], via: "cli" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]?.spec).toEqual(specJson);
  });

  it("a bad command line: exit code 2, one line on stderr, one TRACE on stdout", async () => {
    const result = await run("sync", { via: "cli" });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'source-amplitude-charts: unknown command "sync"; use one of spec, check, discover, read.\n',
    );
    expect(errorTraces(result.messages).map((e) => e.failure_type)).toEqual(["config_error"]);
  });
});
