import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { previousFromHistory, previousFromTags, type Release } from "./release.js";

/**
 * `node dist/scripts/previous-release.js`: the release before the checkout's package.json
 * version (uncommitted changes count), as one line `VERSION COMMIT HOW`: from the tags
 * `vX.Y.Z` when the clone has them, else from package.json's history (the commit that first
 * set that version). Exit code 1, with the reason on stderr, when there is none.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const git = (...args: string[]): string =>
  execFileSync("git", ["-C", root, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
const versionOf = (packageJson: string): string =>
  (JSON.parse(packageJson) as { version: string }).version;

function tags(): { name: string; commit: string }[] {
  return git(
    "for-each-ref",
    "--format=%(refname:short) %(objectname) %(*objectname)",
    "refs/tags/v*",
  )
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [name = "", object = "", peeled = ""] = line.split(" ");
      return { name, commit: peeled || object }; // an annotated tag points at its commit
    });
}

function history(): { commit: string; version: string }[] {
  return git("log", "--format=%H", "--", "package.json")
    .split("\n")
    .filter(Boolean)
    .map((commit) => ({ commit, version: versionOf(git("show", `${commit}:package.json`)) }));
}

const current = versionOf(readFileSync(join(root, "package.json"), "utf8"));
let release: Release | undefined;
try {
  release = previousFromTags(current, tags()) ?? previousFromHistory(current, history());
} catch (error) {
  console.error(`previous-release: ${(error as Error).message}`);
  process.exit(1);
}
if (!release) {
  const shallow = git("rev-parse", "--is-shallow-repository").trim() === "true";
  console.error(
    `previous-release: no release before ${current}: no tag v* older than it, and package.json's ` +
      `history has no other version${shallow ? " (a shallow clone: git fetch --tags --unshallow)" : " (a first release)"}.`,
  );
  process.exit(1);
}
console.log(`${release.version} ${release.commit} ${release.source}`);
