import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeAmplitude } from "../../fake-amplitude/server.js";
import { sampleProject } from "../../fake-amplitude/sample-charts.js";
import { errorTraces, logs, parseMessages, statuses, type Message } from "../helpers/protocol.js";
import {
  configuredCatalogFrom,
  dataByStream,
  recordMessages,
  type DiscoveredStream,
  type RecordMessage,
} from "./cat-checks.js";
import { readJson, readText } from "./paths.js";
import { ImageTarget, platformFiles, selectedTarget } from "./target.js";

/**
 * What Kubernetes and OpenShift do to a container, done to the image (ACCEPTANCE_TARGET=image
 * only): a read-only root file system (`readOnlyRootFilesystem`, `docker run --read-only`),
 * an arbitrary uid that is not in /etc/passwd (OpenShift's restricted SCC, `--user 12345`),
 * and both. Each read gets the platform's mounts (/source, read-only) and reaches the fake
 * Amplitude over the host's network. Whatever the combination, the read completes with
 * every expected record, whole; where no folder is writable, bodies wait in memory and ONE
 * WARN line says what to mount.
 *
 * The engine behind the Docker API may be podman, which under --read-only still mounts a
 * writable tmpfs on /tmp, where Docker does not: a read-only folder mounted over /tmp gives
 * Docker's behaviour on either. Each container first reports which of the connector's spool
 * folders it can write, so the expectation follows the engine's behaviour, not a guess.
 */
const target = selectedTarget();
const SPOOL_FOLDERS = ["/tmp", "/airbyte", "/airbyte/integration_code"]; // TMPDIR=/tmp; the workdir
const ONE_LINE_WARN =
  /^No folder to spool chart bodies in could be written \(tried [^)]+\)(, [^)]+\))*\): each chart's body is held in memory .*Mount a writable volume at \/tmp \(or set TMPDIR to a writable folder\) to keep memory flat\.$/;

describe.runIf(target instanceof ImageTarget)(`the image under platform constraints`, () => {
  // runIf: the tests below run only when it is one (vitest still collects them when not).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const image = target as ImageTarget;
  const fake = new FakeAmplitude(sampleProject());
  let files: ReturnType<typeof platformFiles>;
  let config: Record<string, unknown>;
  const readOnlyTmp = mkdtempSync(join(tmpdir(), "read-only-tmp-"));
  chmodSync(readOnlyTmp, 0o755);
  const scratch: string[] = [readOnlyTmp];

  const expected = readText("integration_tests/expected_records.jsonl")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RecordMessage);

  beforeAll(async () => {
    config = {
      ...readJson<Record<string, unknown>>("integration_tests/sample_config.json"),
      base_url: await fake.start(),
    };
    const discover = await image.run("discover", { config });
    const catalog = discover.messages.find((m) => m.type === "CATALOG")?.catalog as {
      streams: DiscoveredStream[];
    };
    files = platformFiles("read", { config, catalog: configuredCatalogFrom(catalog.streams) });
    scratch.push(dirname(files.hostDir));
  });

  afterAll(async () => {
    await fake.stop();
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  interface Case {
    readOnly?: boolean;
    user?: string;
    /** /tmp as the engine leaves it, a read-only folder over it, or a tmpfs. */
    tmp?: "engine" | "read-only" | "tmpfs";
    /** Where bodies must wait when it does not depend on the engine. */
    spool?: "memory" | "/tmp";
  }
  const cases: [string, Case][] = [
    ["--read-only", { readOnly: true }],
    [
      "--read-only, /tmp read-only (Docker's --read-only)",
      { readOnly: true, tmp: "read-only", spool: "memory" },
    ],
    ["--read-only --tmpfs /tmp (what the WARN asks for)", { readOnly: true, tmp: "tmpfs" }],
    ["--user 12345", { user: "12345", spool: "/tmp" }],
    ["--user 12345, /tmp read-only", { user: "12345", tmp: "read-only", spool: "memory" }],
    ["--read-only --user 12345", { readOnly: true, user: "12345" }],
    [
      "--read-only --user 12345, /tmp read-only",
      { readOnly: true, user: "12345", tmp: "read-only", spool: "memory" },
    ],
    [
      "--read-only --user 12345 --tmpfs /tmp",
      { readOnly: true, user: "12345", tmp: "tmpfs", spool: "/tmp" },
    ],
  ];
  const dockerOnly = (c: Case): boolean => c.readOnly === true || c.tmp === "tmpfs";

  it.each(cases)("%s: the read completes with every expected record", async (_, c) => {
    if (dockerOnly(c) && image.engineName !== "docker") {
      // buildah has no read-only root or tmpfs; CI runs these with the docker CLI.
      console.warn(`skipped on ${image.engineName}: needs a Docker engine`);
      return;
    }
    const probe = SPOOL_FOLDERS.map((d) => `if test -w ${d}; then echo ${d}; fi`).join("; ");
    const result = await image.container({
      mounts: [
        files,
        ...(c.tmp === "read-only" ? [{ hostDir: readOnlyTmp, containerDir: "/tmp" }] : []),
      ],
      ...(c.readOnly && { readOnlyRoot: true }),
      ...(c.user !== undefined && { user: c.user }),
      ...(c.tmp === "tmpfs" && { tmpfs: ["/tmp"] }),
      shellScript: `{ ${probe}; } >&2; echo --- >&2; exec $AIRBYTE_ENTRYPOINT ${files.args.join(" ")}`,
    });
    const [probed = "", stderr = ""] = result.stderr.split("---\n");
    const writable = probed.split("\n").filter(Boolean);
    expect(result.code, result.stderr).toBe(0);
    expect(stderr, "the read's stderr").toBe("");

    const messages: Message[] = parseMessages(result.stdout);
    expect(errorTraces(messages)).toEqual([]);
    // Nothing is lost: each stream's records are the expected ones, whole, in order.
    expect(dataByStream(recordMessages(messages))).toEqual(dataByStream(expected));
    for (const stream of Object.keys(dataByStream(expected))) {
      expect(statuses(messages, stream).at(-1), stream).toBe("COMPLETE");
    }

    // Where the bodies waited: the first writable folder, else memory, with ONE line on it.
    const spool = writable[0] ?? "memory";
    if (c.spool !== undefined) expect(spool, `writable: ${writable.join(", ")}`).toBe(c.spool);
    const said = [...logs(messages, "WARN"), ...logs(messages, "INFO")].filter((l) =>
      /^(No folder to spool|Chart bodies wait in)/.test(l),
    );
    if (spool === "/tmp") expect(said).toEqual([]);
    else if (spool === "memory") {
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(ONE_LINE_WARN);
    } else {
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(new RegExp(`^Chart bodies wait in ${spool}/amplitude-charts-\\w+;`));
    }
    expect(logs(messages, "WARN").filter((l) => !ONE_LINE_WARN.test(l))).toEqual([]);
  });

  describe.runIf(process.getuid?.() === 0)("a config kept private for uid 1000 (mode 600)", () => {
    /** The README's config: mode 600, owned by uid 1000; `group` and `mode` to change that. */
    function privateConfig(group = 1000, mode = 0o600) {
      const folder = platformFiles("check", { config });
      scratch.push(dirname(folder.hostDir));
      const file = join(folder.hostDir, "connectionConfiguration.json");
      writeFileSync(file, JSON.stringify(config));
      chownSync(file, 1000, group);
      chmodSync(file, mode);
      return folder;
    }

    it("run as --user 12345: exit 2 and one line naming the uid and what to do", async () => {
      const folder = privateConfig();
      const result = await image.container({ mounts: [folder], user: "12345", args: folder.args });
      expect(result.code).toBe(2);
      const lines = result.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^source-amplitude-charts: cannot read the config file \/config\/connectionConfiguration\.json: permission denied; the connector runs as uid 12345, gid (\d+)\. Make the file readable by that uid or gid: on the host, chown 12345 the file you mount \(it may stay mode 600\), or chgrp \1 it and chmod 640; /,
      );
      const [trace] = errorTraces(parseMessages(result.stdout));
      expect(trace?.failure_type).toBe("config_error");
      expect(trace?.message).toContain("uid 12345");
    });

    it("the advice works: group 0 and mode 640 let uid 12345 (gid 0) read it", async () => {
      const folder = privateConfig(0, 0o640);
      const result = await image.container({
        mounts: [folder],
        user: "12345:0",
        args: folder.args,
      });
      expect(result.code, result.stderr).toBe(0);
      const [status] = parseMessages(result.stdout).filter((m) => m.type === "CONNECTION_STATUS");
      expect(status?.connectionStatus).toMatchObject({ status: "SUCCEEDED" });
    });
  });
});
