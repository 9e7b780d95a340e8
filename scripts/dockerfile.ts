/**
 * A Dockerfile as instructions: continuation lines joined, comments dropped. Read by the
 * acceptance suite (what the image declares) and the benchmark (how the image runs node).
 */
export interface Instruction {
  keyword: string;
  args: string;
  stage: number;
}

export function dockerfile(text: string): Instruction[] {
  const joined = text
    .split("\n")
    .filter((line) => !/^\s*#/.test(line))
    .join("\n")
    .replace(/\\\n/g, " ");
  let stage = -1;
  const instructions: Instruction[] = [];
  for (const line of joined.split("\n")) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const keyword = (match[1] ?? "").toUpperCase();
    if (keyword === "FROM") stage++;
    instructions.push({ keyword, args: (match[2] ?? "").trim(), stage });
  }
  return instructions;
}

/** `KEY=value KEY2="value 2"` pairs of LABEL and ENV. */
export function pairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([^\s=]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const raw = m[2] ?? "";
    out[m[1] ?? ""] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return out;
}

/** What the last stage (the runtime image) declares. */
export function runtimeStage(instructions: Instruction[]) {
  const last = Math.max(...instructions.map((i) => i.stage));
  const runtime = instructions.filter((i) => i.stage === last);
  const all = (keyword: string) => runtime.filter((i) => i.keyword === keyword);
  const merged = (keyword: string) =>
    Object.assign({}, ...all(keyword).map((i) => pairs(i.args))) as Record<string, string>;
  const entrypoint = all("ENTRYPOINT").at(-1)?.args;
  return {
    instructions: runtime,
    labels: merged("LABEL"),
    env: merged("ENV"),
    user: all("USER").at(-1)?.args,
    entrypoint: entrypoint === undefined ? undefined : (JSON.parse(entrypoint) as string[]),
  };
}
