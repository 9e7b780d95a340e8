import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { WAU } from "../helpers/charts.js";
import { completed, configFor, serve, stopFakes, timeline } from "../helpers/connector.js";
import { logs, parseMessages, records } from "../helpers/protocol.js";
import { CLI, configuredCatalog, jsonFiles, runProgram } from "../helpers/run-cli.js";

afterAll(stopFakes);

/**
 * A read with nothing writable: as root, a mount namespace (unshare -m) in which the root
 * file system, /tmp and /dev/shm are bind-mounted read-only, as under Kubernetes'
 * readOnlyRootFilesystem with no volume. Needs root and util-linux's unshare.
 */
const canUnshare = process.getuid?.() === 0 && spawnSync("unshare", ["-m", "true"]).status === 0;

const READ_ONLY = [
  "mount --bind / / && mount -o remount,bind,ro /",
  "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp",
  "mount -o remount,bind,ro /dev/shm",
  // Proof that nothing can be written before the connector starts.
  "! touch /tmp/.probe 2>/dev/null && ! touch .probe 2>/dev/null",
].join(" && ");

describe.runIf(canUnshare)("a read-only file system", () => {
  it("reads every record, holding bodies in memory, and says so in a WARN", async () => {
    const fake = await serve({ [WAU.id]: { csv: WAU.csv } });
    const files = jsonFiles({
      config: configFor(fake, [WAU.id]),
      catalog: configuredCatalog([`chart_${WAU.id}`, "charts_metadata"]),
    });
    const command = `${READ_ONLY} && exec "${process.execPath}" "${CLI}" read --config "${files.config ?? ""}" --catalog "${files.catalog ?? ""}"`;
    const result = await runProgram("unshare", ["-m", "sh", "-c", command], {
      env: { ...process.env, TMPDIR: "/tmp" },
    });
    expect(result.code, result.stderr).toBe(0);
    const messages = parseMessages(result.stdout);
    expect(records(messages, `chart_${WAU.id}`)).toEqual(WAU.records);
    expect(timeline(messages, `chart_${WAU.id}`)).toEqual(completed(WAU.records.length));
    const [warning, ...more] = logs(messages, "WARN");
    expect(more).toEqual([]);
    expect(warning).toMatch(
      /^No folder to spool chart bodies in could be written \(tried \/tmp \(EROFS\), \/airbyte \((EROFS|ENOENT)\), \/\S+ \(EROFS\)\): each chart's body is held in memory/,
    );
    expect(warning).toContain("Mount a writable volume at /tmp");
  });
});
