import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, describe, expect, it } from "vitest";
import { BodySpool, spoolCandidates } from "../../src/body/spool.js";
import { collect } from "./support.js";

const scratch = mkdtempSync(join(tmpdir(), "spool-test-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A folder nothing can be written to, for this test's user (root ignores modes: a file then). */
function unwritable(name: string): string {
  const path = join(scratch, name);
  writeFileSync(path, "a file, not a folder");
  chmodSync(path, 0o444);
  return path;
}

async function spoolOne(spool: BodySpool, text: string) {
  const writer = spool.writer("abc123de");
  await pipeline(Readable.from([Buffer.from(text)]), writer.attempt());
  return writer.complete({ contentType: "text/csv", elapsedMs: 1 });
}

describe("where bodies wait", () => {
  it("after a body could not be written (a full disk): in the next folder, then in memory", async () => {
    const first = mkdtempSync(join(scratch, "first-"));
    const second = mkdtempSync(join(scratch, "second-"));
    const { spool } = await BodySpool.create([first, second]);
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
    });
    const kept = await spoolOne(spool, "kept");
    const failed = spool.writer("abc123de");
    const stale = spool.writer("other");
    expect(failed.folder).toBe(spool.dir);
    // Any other failure (a network one) is not the spool's to handle.
    expect(await spool.moveOn(failed, new Error("socket hang up"))).toBeUndefined();
    const said = await spool.moveOn(failed, full);
    expect(spool.dir?.startsWith(join(second, "amplitude-charts-"))).toBe(true);
    expect(said).toBe(
      `a body could not be written in ${failed.folder ?? ""} (ENOSPC: no space left on device, write): ` +
        `bodies now wait in ${spool.dir ?? ""}. It is this machine's disk, not Amplitude: give TMPDIR a folder ` +
        "with room for the largest chart, or mount a larger volume at /tmp.",
    );
    // A second body that failed in the same folder meanwhile: nothing more to say.
    expect(await spool.moveOn(stale, full)).toBe("");
    // The body already written there is still read back.
    expect((await collect(kept.text())).join("")).toBe("kept");
    const again = await spool.moveOn(spool.writer("abc123de"), full);
    expect(spool.dir).toBeUndefined();
    expect(again).toMatch(/no other folder can be written: bodies now wait in memory/);
    const inMemory = await spoolOne(spool, "in memory");
    expect((await collect(inMemory.text())).join("")).toBe("in memory");
    await spool.close();
    expect(readdirSync(first)).toEqual([]);
    expect(readdirSync(second)).toEqual([]);
  });

  it("in TMPDIR, then /tmp, /airbyte and the working directory", () => {
    expect(spoolCandidates({ TMPDIR: "/scratch" }, "/source")).toEqual([
      "/scratch",
      "/tmp",
      "/airbyte",
      "/source",
    ]);
    expect(spoolCandidates({ TMPDIR: "" }, "/w")).toEqual(["/tmp", "/airbyte", "/w"]);
  });

  it("in the first folder where one can be made, saying what was passed over and why", async () => {
    const missing = join(scratch, "no-such-folder");
    const { spool, skipped } = await BodySpool.create([missing, unwritable("ro1"), scratch]);
    expect(skipped.map((s) => s.why)).toEqual(["ENOENT", "ENOTDIR"]);
    expect(spool.dir?.startsWith(join(scratch, "amplitude-charts-"))).toBe(true);
    const body = await spoolOne(spool, "Zürich");
    expect(readdirSync(spool.dir as string)).toHaveLength(1);
    expect((await collect(body.text())).join("")).toBe("Zürich");
    await spool.close();
    expect(readdirSync(scratch).filter((f) => f.startsWith("amplitude-charts-"))).toEqual([]);
  });

  it("in memory when no folder can be written, read back the same, its ends included", async () => {
    const { spool, skipped } = await BodySpool.create([unwritable("ro2"), join(scratch, "none")]);
    expect(spool.dir).toBeUndefined();
    expect(skipped).toHaveLength(2);
    const text = `${"é".repeat(400)}middle${"ü".repeat(400)}`;
    const writer = spool.writer("c1");
    // A retried attempt starts over, in memory too.
    await pipeline(Readable.from([Buffer.from("broken attempt")]), writer.attempt());
    const bytes = Buffer.from(text);
    await pipeline(Readable.from([bytes.subarray(0, 301), bytes.subarray(301)]), writer.attempt());
    const body = await writer.complete({ contentType: "text/csv", elapsedMs: 1 });
    expect(body.bytes).toBe(bytes.length);
    expect((await collect(body.text())).join("")).toBe(text);
    const { head, tail } = await body.ends();
    expect(Buffer.byteLength(head)).toBeLessThanOrEqual(4096);
    expect(text.startsWith(head.replace(/\uFFFD$/, ""))).toBe(true);
    expect(text.endsWith(tail.replace(/^\uFFFD/, ""))).toBe(true);
    await body.discard();
    expect(await collect(body.text())).toEqual([]);
    await spool.close();
  });
});
