import { describe, expect, it } from "vitest";
import { editDistance, nearest } from "../../src/spelling.js";

describe("what a typo probably meant", () => {
  it("counts a swap of neighbours as one edit, like an insertion, a deletion or a substitution", () => {
    expect(editDistance("chekc", "check")).toBe(1);
    expect(editDistance("reed", "read")).toBe(1);
    expect(editDistance("discovr", "discover")).toBe(1);
    expect(editDistance("sync", "spec")).toBe(2);
    expect(editDistance("", "read")).toBe(4);
  });

  it("names the nearest candidate within the distance allowed, else none", () => {
    const commands = ["spec", "check", "discover", "read"];
    expect(nearest("chekc", commands, 1)).toBe("check");
    expect(nearest("sync", commands, 1)).toBeUndefined();
    expect(nearest("regoin", ["region", "data_region"])).toBe("region");
    expect(nearest("zzzzzzzz", ["region"])).toBeUndefined();
  });
});
