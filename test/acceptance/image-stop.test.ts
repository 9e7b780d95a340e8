import { spawn, spawnSync } from "node:child_process";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { amplitudeCsv } from "../../fake-amplitude/csv.js";
import { FakeAmplitude } from "../../fake-amplitude/server.js";
import { SAMPLE_API_KEY, SAMPLE_SECRET_KEY } from "../../fake-amplitude/sample-charts.js";
import { containerEngine } from "../../scripts/container.js";
import { parseMessages } from "../helpers/protocol.js";
import { configuredCatalogFrom, type DiscoveredStream } from "./cat-checks.js";
import { ImageTarget, platformFiles, selectedTarget } from "./target.js";
import { rmSync } from "node:fs";

/**
 * `docker stop` (SIGTERM) on a read, in the two forms the image runs in: its ENTRYPOINT
 * (node is the container's first process) and the platform's `sh -c "$AIRBYTE_ENTRYPOINT
 * read ..."` (the image's /bin/sh, bash, runs node in its own place). Either way the read
 * stops within 5 s, says why in one LOG line, with every line whole, exit code 143; before,
 * node ignored SIGTERM as a first process, and dash kept it from node, until Docker's SIGKILL.
 */
const target = selectedTarget();
const docker = target instanceof ImageTarget && target.engineName === "docker";

describe.runIf(docker)("the image stopped by docker stop", () => {
  // runIf: the tests below run only when it is one (vitest still collects them when not).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const image = target as ImageTarget;
  // Large enough to be read for many seconds: the stop comes while records flow.
  const fake = new FakeAmplitude({
    apiKey: SAMPLE_API_KEY,
    secretKey: SAMPLE_SECRET_KEY,
    charts: {
      big1: {
        csv: () => [
          amplitudeCsv({
            title: "Big",
            metric: [["Uniques"]],
            header: ["Segment", "2026-06-01", "2026-06-02"],
            rows: Array.from({ length: 400_000 }, (_, i) => [`Segment ${i}`, i, i + 1]),
          }),
        ],
      },
    },
  });
  let files: ReturnType<typeof platformFiles>;

  beforeAll(async () => {
    const config = {
      api_key: SAMPLE_API_KEY,
      secret_key: SAMPLE_SECRET_KEY,
      chart_ids: ["big1"],
      base_url: await fake.start(),
    };
    const discover = await image.run("discover", { config });
    const catalog = discover.messages.find((m) => m.type === "CATALOG")?.catalog as {
      streams: DiscoveredStream[];
    };
    files = platformFiles("read", { config, catalog: configuredCatalogFrom(catalog.streams) });
  });

  afterAll(async () => {
    await fake.stop();
    rmSync(dirname(files.hostDir), { recursive: true, force: true });
  });

  it.each([
    ["its ENTRYPOINT", false],
    ['the platform\'s sh -c "$AIRBYTE_ENTRYPOINT read ..."', true],
  ])("in %s: exit 143 within 5 s, one LOG line why, lines whole", async (_, shell) => {
    const mounts = [{ hostDir: files.hostDir, containerDir: files.containerDir }];
    const run = shell
      ? { mounts, shellScript: `$AIRBYTE_ENTRYPOINT ${files.args.join(" ")}` }
      : { mounts, args: files.args };
    const prepared = containerEngine("docker").prepare(image.image, run);
    try {
      const child = spawn(prepared.file, prepared.args, { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stoppedAfter = -1;
      const exited = new Promise<void>((resolve) => child.on("close", () => resolve()));
      let stop: Promise<void> | undefined;
      child.stdout.setEncoding("utf8").on("data", (piece: string) => {
        stdout += piece;
        if (stop === undefined && stdout.includes('"type":"RECORD"')) {
          // Not spawnSync: the platform goes on reading while it stops the container.
          const started = Date.now();
          const stopper = spawn("docker", ["stop", "-t", "10", prepared.name ?? ""], {
            stdio: "ignore",
          });
          stop = new Promise((resolve) =>
            stopper.on("close", () => {
              stoppedAfter = Date.now() - started;
              resolve();
            }),
          );
        }
      });
      await exited;
      await stop;
      const code = spawnSync(
        "docker",
        ["inspect", "-f", "{{.State.ExitCode}}", prepared.name ?? ""],
        {
          encoding: "utf8",
        },
      ).stdout.trim();
      expect(code).toBe("143");
      expect(stoppedAfter).toBeGreaterThanOrEqual(0);
      expect(stoppedAfter).toBeLessThan(5_000);
      // Every line parses (none cut); the last says why the read stopped.
      const messages = parseMessages(stdout);
      expect(messages.at(-1)?.log).toMatchObject({
        level: "WARN",
        message: expect.stringMatching(/^The read stopped: the connector received SIGTERM /),
      });
    } finally {
      prepared.cleanup();
    }
  });
});
