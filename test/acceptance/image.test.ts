import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { FakeAmplitude } from "../../fake-amplitude/server.js";
import { parseMessages } from "../helpers/protocol.js";
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
  const image = target as ImageTarget;
  // No hook guards the image: when buildah or the image is missing, every test below
  // fails with the reason (the image half is never skipped).
  it("buildah has the image", () => {
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

  it("runs as uid 1000 with /bin/sh, on the Node.js of the Dockerfile's FROM tag", async () => {
    expect(await sh("id -u; id -g")).toBe("1000\n1000\n");
    expect(await sh("test -x /bin/sh && echo ok")).toBe("ok\n");
    const tag = /^node:(\d+\.\d+\.\d+)-/.exec(
      dockerfile(readText("Dockerfile")).find((i) => i.keyword === "FROM")?.args ?? "",
    );
    expect(await sh("node --version")).toBe(`v${tag?.[1]}\n`);
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

  it("writes at run time only under /tmp (the code is read-only to uid 1000)", async () => {
    expect(
      (await image.shell("test -w /airbyte/integration_code || test -w dist/src/cli.js")).code,
    ).not.toBe(0);
    const fake = new FakeAmplitude(sampleProject());
    const baseUrl = await fake.start();
    let files: ReturnType<typeof platformFiles> | undefined;
    try {
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
      files = platformFiles("read", { config, catalog: configuredCatalogFrom(streams) });
      const script = [
        "touch /tmp/.before",
        `$AIRBYTE_ENTRYPOINT ${files.args.join(" ")} > /tmp/read.jsonl || exit 1`,
        "find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /tmp \\) -prune -o -newer /tmp/.before -print",
        "echo ---",
        "ls -A /tmp",
        "echo ---",
        "cat /tmp/read.jsonl",
      ].join("; ");
      const result = await image.shell(script, [files]);
      expect(result.code, result.stderr).toBe(0);
      const [changed, tmp, output] = result.stdout.split("---\n");
      expect(changed, "files written outside /tmp").toBe("");
      expect((tmp ?? "").split("\n").filter(Boolean).sort(), "left in /tmp").toEqual([
        ".before",
        "read.jsonl",
      ]);
      expect(recordMessages(parseMessages(output ?? "")).length).toBeGreaterThan(0);
    } finally {
      await fake.stop();
      if (files) rmSync(dirname(files.hostDir), { recursive: true, force: true });
    }
  });
});
