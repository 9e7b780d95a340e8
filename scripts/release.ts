/**
 * Releases: every landing on main is one (its version bumped in package.json, metadata.yaml,
 * the Dockerfile's label and the docs' commands; a changelog row; a tag vX.Y.Z). These pure
 * functions find the release before a version, for CI's backward-compatibility run
 * (scripts/previous-release.ts asks git; the unit tests give them lists).
 */
export type Version = [number, number, number];

const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;

/** "1.2.3" as numbers; undefined for anything else (pre-releases are not ours). */
export function parseVersion(text: string): Version | undefined {
  const m = SEMVER.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** <0, 0, >0 as `a` is older than, equal to, newer than `b` (both X.Y.Z). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  if (!x || !y) throw new Error(`not a version X.Y.Z: ${x ? b : a}`);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export interface Release {
  version: string;
  commit: string;
  /** How it was found, for the log. */
  source: string;
}

/** The newest tagged release older than `current`, from tags `vX.Y.Z` (others are ignored). */
export function previousFromTags(
  current: string,
  tags: { name: string; commit: string }[],
): Release | undefined {
  const older = tags
    .map((t) => ({ ...t, version: t.name.replace(/^v/, "") }))
    .filter((t) => t.name.startsWith("v") && parseVersion(t.version) !== undefined)
    .filter((t) => compareVersions(t.version, current) < 0)
    .sort((a, b) => compareVersions(b.version, a.version));
  const [newest] = older;
  return newest && { version: newest.version, commit: newest.commit, source: `tag ${newest.name}` };
}

/**
 * From package.json's history (its versions, newest commit first, as `git log -- package.json`
 * lists them): the newest version before `current`, and the commit that first set it (the
 * oldest commit of that version's run). Undefined when the history never had another version.
 */
export function previousFromHistory(
  current: string,
  history: { commit: string; version: string }[],
): Release | undefined {
  let i = 0;
  while (i < history.length && history[i]?.version === current) i++;
  const previous = history[i];
  if (!previous) return undefined;
  let first = previous;
  for (let j = i + 1; j < history.length && history[j]?.version === previous.version; j++) {
    first = history[j] as typeof first;
  }
  if (compareVersions(previous.version, current) >= 0) {
    throw new Error(
      `package.json's history goes from ${previous.version} to ${current}: versions must grow`,
    );
  }
  return {
    version: previous.version,
    commit: first.commit,
    source: `package.json's history (the commit that first set ${previous.version})`,
  };
}
