import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { FakeAmplitude } from "../../fake-amplitude/server.js";
import { logs, parseMessages } from "../helpers/protocol.js";
import { serveDemo } from "../helpers/run-cli.js";
import { configuredCatalogFrom, recordMessages, type DiscoveredStream } from "./cat-checks.js";
import { dockerfile } from "../../scripts/dockerfile.js";
import { metadata, readJson, readText } from "./paths.js";
import { sampleProject } from "../../fake-amplitude/sample-charts.js";
import { ImageTarget, platformFiles, selectedTarget } from "./target.js";

/**
 * The image itself (ACCEPTANCE_TARGET=image only; the CLI run checks the Dockerfile
 * statically in files.test.ts): CAT's test_image_labels and
 * test_image_environment_variables, and what the platform relies on beyond them.
 */
const target = selectedTarget();

describe.runIf(target instanceof ImageTarget)(`the image ${target.description}`, () => {
  // runIf: the tests below run only when it is one (vitest still collects them when not).
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment
  const image = target as ImageTarget;
  // No hook guards the image: when the engine or the image is missing, every test below
  // fails with the reason (the image half is never skipped).
  it("the engine (docker or buildah) has the image", () => {
    expect(image.imageConfig()).toBeTypeOf("object");
  });

  const sh = async (script: string): Promise<string> => {
    const result = await image.shell(script);
    expect(result.code, `${script}\n${result.stderr}`).toBe(0);
    return result.stdout;
  };

  it("test_image_labels: io.airbyte.name/version equal metadata.yaml's dockerRepository/dockerImageTag", () => {
    const labels = image.imageConfig().Labels ?? {};
    const { data } = metadata();
    expect(labels["io.airbyte.name"]).toBe(data.dockerRepository);
    expect(labels["io.airbyte.version"]).toBe(data.dockerImageTag);
  });

  it("test_image_environment_variables: AIRBYTE_ENTRYPOINT is the ENTRYPOINT joined by spaces", () => {
    const config = image.imageConfig();
    const env = Object.fromEntries(
      (config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    );
    expect(config.Entrypoint?.length).toBeGreaterThan(0);
    expect(env.AIRBYTE_ENTRYPOINT).toBe((config.Entrypoint ?? []).join(" "));
  });

  it("runs as the user airbyte, uid 1000, with /bin/sh, on the Node.js of the Dockerfile's FROM tag", async () => {
    expect(await sh("id -un; id -u; id -g")).toBe("airbyte\n1000\n1000\n");
    expect(await sh("test -x /bin/sh && echo ok")).toBe("ok\n");
    const tag = /^node:(\d+\.\d+\.\d+)-/.exec(
      dockerfile(readText("Dockerfile")).find((i) => i.keyword === "FROM")?.args ?? "",
    );
    expect(await sh("node --version")).toBe(`v${tag?.[1] ?? ""}\n`);
  });

  it("gives the airbyte user a /airbyte it owns and can write to", async () => {
    expect(await sh("stat -c '%U %G' /airbyte; test -w /airbyte && echo writable")).toBe(
      "airbyte airbyte\nwritable\n",
    );
  });

  it("AIRBYTE_ENTRYPOINT names absolute paths and works from any working directory", async () => {
    const env = Object.fromEntries(
      (image.imageConfig().Env ?? []).map((e) => [
        e.slice(0, e.indexOf("=")),
        e.slice(e.indexOf("=") + 1),
      ]),
    );
    const [program, ...rest] = (env.AIRBYTE_ENTRYPOINT ?? "").split(" ");
    expect(program?.startsWith("/")).toBe(true);
    expect(rest.at(-1)?.startsWith("/")).toBe(true);
    // The platform may start the connector in /source, where its files are.
    const result = await image.container({
      workdir: "/",
      shellScript: "cd /tmp && $AIRBYTE_ENTRYPOINT spec",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(parseMessages(result.stdout).map((m) => m.type)).toEqual(["SPEC"]);
  });

  it("holds only the built code, spec.json, package.json and the production dependencies", async () => {
    const workdir = image.imageConfig().WorkingDir ?? "";
    expect(workdir).toBe("/airbyte/integration_code");
    expect((await sh("ls -A")).split("\n").filter(Boolean)).toEqual([
      "dist",
      "node_modules",
      "package.json",
      "spec.json",
    ]);
    expect(await sh("ls -A dist")).toBe("src\n");
    expect(await sh("find dist -type f ! -name '*.js' | head -5")).toBe("");
    expect(JSON.parse(await sh("cat spec.json"))).toEqual(readJson("spec.json"));
    const pkg = readJson<{
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    }>("package.json");
    const modules = (await sh("ls -A node_modules")).split("\n").filter(Boolean);
    for (const name of Object.keys(pkg.dependencies))
      expect(modules, name).toContain(name.split("/")[0]);
    for (const name of Object.keys(pkg.devDependencies))
      expect(modules, name).not.toContain(name.split("/")[0]);
    expect(modules).not.toContain(".bin"); // no dev tooling
  });

  /** discover's catalog for the sample project, as the platform would configure it. */
  async function sampleRead(baseUrl: string) {
    const config = {
      ...readJson<Record<string, unknown>>("integration_tests/sample_config.json"),
      base_url: baseUrl,
    };
    const discover = await image.run("discover", { config });
    const streams = (
      discover.messages.find((m) => m.type === "CATALOG")?.catalog as {
        streams: DiscoveredStream[];
      }
    ).streams;
    return platformFiles("read", { config, catalog: configuredCatalogFrom(streams) });
  }

  it("writes nothing outside where bodies wait, and leaves nothing there (started in /source)", async () => {
    expect(
      (await image.shell("test -w /airbyte/integration_code || test -w dist/src/cli.js")).code,
    ).not.toBe(0);
    const fake = new FakeAmplitude(sampleProject());
    const baseUrl = await fake.start();
    let files: ReturnType<typeof platformFiles> | undefined;
    try {
      files = await sampleRead(baseUrl);
      const script = [
        "touch /tmp/.before",
        `cd ${files.containerDir}`,
        `$AIRBYTE_ENTRYPOINT ${files.args.join(" ")} > /tmp/read.jsonl || exit 1`,
        "find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /tmp \\) -prune -o -newer /tmp/.before -print",
        "echo ---",
        "ls -A /tmp /airbyte",
        "echo ---",
        "cat /tmp/read.jsonl",
      ].join("; ");
      const result = await image.shell(script, [files]);
      expect(result.code, result.stderr).toBe(0);
      const [changed, left, output] = result.stdout.split("---\n");
      expect(changed, "files written outside /tmp").toBe("");
      expect(left, "left in /tmp or /airbyte").toBe(
        "/airbyte:\nintegration_code\n\n/tmp:\n.before\nread.jsonl\n",
      );
      const messages = parseMessages(output ?? "");
      expect(recordMessages(messages).length).toBeGreaterThan(0);
      // /tmp was writable: no word about where bodies wait.
      expect(logs(messages).filter((l) => /^(Chart bodies wait in|No folder)/.test(l))).toEqual([]);
    } finally {
      await fake.stop();
      if (files) rmSync(dirname(files.hostDir), { recursive: true, force: true });
    }
  });

  it("with /tmp read-only, bodies wait in /airbyte, which is left as it was", async () => {
    const fake = new FakeAmplitude(sampleProject());
    const baseUrl = await fake.start();
    let files: ReturnType<typeof platformFiles> | undefined;
    const readOnlyTmp = mkdtempSync(join(tmpdir(), "read-only-tmp-"));
    chmodSync(readOnlyTmp, 0o755);
    try {
      files = await sampleRead(baseUrl);
      const result = await image.container({
        mounts: [files, { hostDir: readOnlyTmp, containerDir: "/tmp" }],
        shellScript: `$AIRBYTE_ENTRYPOINT ${files.args.join(" ")} && ls -A /airbyte >&2`,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe("integration_code\n");
      const messages = parseMessages(result.stdout);
      const expected = readText("integration_tests/expected_records.jsonl")
        .trim()
        .split("\n").length;
      expect(recordMessages(messages)).toHaveLength(expected);
      const info = logs(messages, "INFO").filter((l) => l.startsWith("Chart bodies wait in"));
      expect(info).toHaveLength(1);
      expect(info[0]).toMatch(
        /^Chart bodies wait in \/airbyte\/amplitude-charts-\w+; not writable: \/tmp \(EROFS\)\.$/,
      );
      expect(logs(messages, "WARN")).toEqual([]);
    } finally {
      await fake.stop();
      rmSync(readOnlyTmp, { recursive: true, force: true });
      if (files) rmSync(dirname(files.hostDir), { recursive: true, force: true });
    }
  });
  it("npm run demo -- --serve prints docker run lines that work against the fake it serves", async () => {
    if (image.engineName !== "docker") {
      console.warn(`skipped on ${image.engineName}: the lines are docker commands`);
      return;
    }
    const out = mkdtempSync(join(tmpdir(), "demo-serve-"));
    const demo = await serveDemo(out);
    try {
      const { stdout } = demo;
      const lines = stdout
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l.startsWith("docker run "))
        .map((l) => l.replace(/ airbyte\/source-amplitude-charts:\S+ /, ` ${image.image} `));
      expect(lines).toHaveLength(2);
      // As printed (with --rm: the output is checked, not the exit code, which podman's
      // Docker API before 4.6 loses for --rm containers).
      const [check, read] = lines.map((line) =>
        spawnSync("sh", ["-c", line], { encoding: "utf8" }),
      );
      expect(
        parseMessages(check?.stdout ?? "").find((m) => m.type === "CONNECTION_STATUS"),
      ).toMatchObject({
        connectionStatus: { status: "SUCCEEDED" },
      });
      const records = recordMessages(parseMessages(read?.stdout ?? ""));
      const expected = readText("integration_tests/expected_records.jsonl").trim().split("\n");
      expect(records, read?.stderr).toHaveLength(expected.length);
    } finally {
      demo.child.kill("SIGTERM");
      rmSync(out, { recursive: true, force: true });
    }
  });
});
