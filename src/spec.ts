import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ConnectorSpecification {
  documentationUrl: string;
  connectionSpecification: Record<string, unknown>;
}

/**
 * spec.json sits at the package root. It is found from this module's own location
 * (src/ when tests run the sources, dist/src/ when the CLI runs), never the cwd.
 */
export function specPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, "spec.json");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`spec.json not found above ${fileURLToPath(import.meta.url)}`);
}

/** The connector's version: package.json's, beside spec.json (the image's label says the same). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(specPath()), "package.json"), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

let cached: ConnectorSpecification | undefined;

export function loadSpec(): ConnectorSpecification {
  cached ??= JSON.parse(readFileSync(specPath(), "utf8")) as ConnectorSpecification;
  return cached;
}
