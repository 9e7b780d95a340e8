import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smallChart } from "../helpers/charts.js";
import { configFor, serve, stopFakes } from "../helpers/connector.js";
import { logs, parseMessages, records } from "../helpers/protocol.js";
import { CLI, configuredCatalog, jsonFiles, runProgram } from "../helpers/run-cli.js";

afterAll(stopFakes);

/**
 * A spool on a full disk: as root, in a mount namespace (unshare -m), TMPDIR is a tmpfs of
 * 1 MB and the chart's body is larger. The disk is this machine's problem, not Amplitude's:
 * no retry, no wait, no advice about Amplitude; the bodies move on to the next folder (or
 * to memory) and every record is read once.
 */
const canUnshare = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0;

const scratch = mkdtempSync(join(tmpdir(), "full-disk-test-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** 40,000 rows x 3 days: about 1.6 MB in the envelope, more than the 1 MB disk holds. */
const ROWS = 40_000;

async function readOnFullDisk(mounts: string[]) {
  const fake = await serve({ big1: { csv: smallChart("Big", ROWS) } });
  const files = jsonFiles({
    config: configFor(fake, ["big1"]),
    catalog: configuredCatalog(["chart_big1"]),
  });
  const full = mkdtempSync(join(scratch, "tmpfs-"));
  const command = [
    ...mounts,
    `mount -t tmpfs -o size=1m tmpfs "${full}"`,
    `exec "${process.execPath}" "${CLI}" read --config "${files.config ?? ""}" --catalog "${files.catalog ?? ""}"`,
  ].join(" && ");
  const result = await runProgram("unshare", ["-m", "sh", "-c", command], {
    env: { ...process.env, TMPDIR: full, SOURCE_AMPLITUDE_CHARTS_RETRY_DELAY_SCALE: "1" },
  });
  return { fake, full, result, messages: parseMessages(result.stdout) };
}

describe.runIf(canUnshare)("a spool on a full disk", () => {
  it("moves on to the next writable folder and downloads again at once, never blaming Amplitude", async () => {
    const { fake, full, result, messages } = await readOnFullDisk([]);
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages, "chart_big1")).toHaveLength(ROWS * 3);
    const warnings = logs(messages, "WARN");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      new RegExp(
        `^Chart big1: a body could not be written in ${full}/amplitude-charts-\\w+ \\(ENOSPC: no space left on device, write\\): ` +
          `bodies now wait in ${tmpdir()}/amplitude-charts-\\w+\\. It is this machine's disk, not Amplitude`,
      ),
    );
    // Not a retry: no backoff, no word of Amplitude being busy; one request more.
    expect(result.stdout).not.toMatch(/attempt \d failed|may be busy|max_concurrent_requests/);
    expect(fake.requestsFor("big1")).toHaveLength(2);
    // The spool's folders are gone.
    const folder = /bodies now wait in (\S+)\./.exec(warnings[0] ?? "")?.[1] ?? "";
    expect(existsSync(folder)).toBe(false);
  });

  it("waits in memory, saying so, when no other folder can be written", async () => {
    const { result, messages } = await readOnFullDisk([
      "mount --bind / / && mount -o remount,bind,ro /",
      "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(records(messages, "chart_big1")).toHaveLength(ROWS * 3);
    expect(logs(messages, "WARN")).toEqual([
      expect.stringMatching(
        /^Chart big1: a body could not be written in .* \(ENOSPC: no space left on device, write\), and no other folder can be written: bodies now wait in memory/,
      ),
    ]);
  });
});
