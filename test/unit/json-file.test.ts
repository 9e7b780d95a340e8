import { describe, expect, it } from "vitest";
import { readProblem } from "../../src/config/json-file.js";

const eacces = Object.assign(new Error("EACCES: permission denied, open '/x'"), {
  code: "EACCES",
});

describe("a file the connector may not read", () => {
  it("names the uid and gid the connector runs as, and how to make the file readable", () => {
    const said = readProblem(eacces, { uid: 12345, gid: 0 });
    expect(said).toMatch(/^permission denied; the connector runs as uid 12345, gid 0\. /);
    expect(said).toContain("chown 12345 the file you mount (it may stay mode 600)");
    expect(said).toContain("chgrp 0 it and chmod 640");
    expect(said).toContain("defaultMode or the pod's fsGroup");
    // Never advice that makes a config readable by everyone.
    expect(said).not.toMatch(/chmod [0-7]?[0-7][0-7][4-7]/);
    expect(said).not.toContain("\n");
  });

  it("says only 'permission denied' where the platform has no uid (Windows)", () => {
    expect(readProblem(eacces, { uid: undefined, gid: undefined })).toBe("permission denied");
  });
});
