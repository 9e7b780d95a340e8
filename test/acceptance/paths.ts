import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root and the files the acceptance suite reads. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export const repoPath = (relative: string): string => join(ROOT, relative);
export const readText = (relative: string): string => readFileSync(repoPath(relative), "utf8");
export const readJson = <T = unknown>(relative: string): T => JSON.parse(readText(relative)) as T;
export const readYaml = <T = unknown>(relative: string): T => parse(readText(relative)) as T;

/** acceptance-test-config.yml, as CAT reads it. */
export interface TestEntry {
  config_path?: string;
  spec_path?: string;
  configured_catalog_path?: string;
  status?: string;
  expect_records?: { path?: string; exact_order?: boolean; bypass_reason?: string };
  future_state?: { future_state_path?: string };
  [key: string]: unknown;
}

export interface AcceptanceConfig {
  connector_image: string;
  test_strictness_level?: string;
  acceptance_tests: Record<string, { tests?: TestEntry[]; bypass_reason?: string }>;
  [key: string]: unknown;
}

export const acceptanceConfig = (): AcceptanceConfig =>
  readYaml<AcceptanceConfig>("acceptance-test-config.yml");

export interface Metadata {
  metadataSpecVersion: string;
  data: Record<string, unknown> & {
    dockerRepository: string;
    dockerImageTag: string;
    allowedHosts?: { hosts?: string[] };
  };
}

export const metadata = (): Metadata => readYaml<Metadata>("metadata.yaml");

/** The image the suite runs with ACCEPTANCE_TARGET=image unless ACCEPTANCE_IMAGE names another. */
export const connectorImage = (): string => acceptanceConfig().connector_image;

/** The tests of one CAT section (`spec`, `connection`, …). */
export function testsOf(section: string): TestEntry[] {
  return acceptanceConfig().acceptance_tests[section]?.tests ?? [];
}
