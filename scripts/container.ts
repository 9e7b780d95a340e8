import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { randomBytes } from "node:crypto";

/**
 * Runs a built image the way `docker run --rm -i` does: with the `docker` CLI where a Docker
 * engine answers (Docker's own, or podman serving the Docker API, as on our CI machines),
 * else with buildah (no daemon needed). The image acceptance suite and the benchmark use it.
 * CONTAINER_ENGINE=docker|buildah picks one. Either way the container shares the host's
 * network (`docker run --network host`; buildah's chroot isolation has no network of its
 * own), so that it reaches a fake Amplitude on the host's 127.0.0.1.
 */
export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[];
  Labels?: Record<string, string>;
  WorkingDir?: string;
}

export interface Mount {
  hostDir: string;
  containerDir: string;
  /** Mounted writable (default: read-only). */
  writable?: boolean;
}

export interface ContainerRun {
  mounts?: Mount[];
  env?: Record<string, string>;
  /** The working directory, like `docker run -w`. */
  workdir?: string;
  /** `sh -c SCRIPT` instead of the image's ENTRYPOINT (the platform's way of running it). */
  shellScript?: string;
  /** Arguments after the ENTRYPOINT. */
  args?: string[];
  /**
   * The root file system read-only, like `docker run --read-only` (Docker only). Note that
   * podman, unlike Docker, then still mounts a writable tmpfs on /tmp (and /var/tmp, /run).
   */
  readOnlyRoot?: boolean;
  /** Run as this user (`docker run --user 12345`): a uid the image may not know. */
  user?: string;
  /** Folders to mount as tmpfs, writable by anyone (`docker run --tmpfs /tmp`; Docker only). */
  tmpfs?: string[];
}

/** A command line to spawn, and what to do once it has ended. */
export interface Prepared {
  file: string;
  args: string[];
  /** The container's name, with the docker CLI (`docker stop NAME`). */
  name?: string;
  cleanup(): void;
}

export interface ContainerEngine {
  readonly name: "docker" | "buildah";
  /** The image's OCI config; throws, saying what to do, when the image is missing. */
  imageConfig(image: string): ImageConfig;
  prepare(image: string, run: ContainerRun): Prepared;
}

export function containerEngine(
  wanted: string | undefined = process.env.CONTAINER_ENGINE,
): ContainerEngine {
  if (wanted === "docker") return docker;
  if (wanted === "buildah") return buildah;
  if (wanted !== undefined && wanted !== "") {
    throw new Error(`CONTAINER_ENGINE must be "docker" or "buildah", not "${wanted}"`);
  }
  if (succeeds("docker", ["info"])) return docker;
  if (succeeds("buildah", ["--version"])) return buildah;
  throw new Error(
    "Running the image needs Docker (a running engine) or buildah; neither was found. " +
      "Install one (Debian: apt-get install -y buildah), build the image (scripts/build-image.sh), and run again.",
  );
}

function succeeds(file: string, args: string[]): boolean {
  return spawnSync(file, args, { stdio: "ignore" }).status === 0;
}

function capture(
  file: string,
  args: string[],
): { status: number | null; stdout: string; stderr: string } {
  // Null, not the "" the types say, when the command could not be started (ENOENT).
  const result: SpawnSyncReturns<string | null> = spawnSync(file, args, { encoding: "utf8" });
  return {
    status: result.status,
    stdout: result.stdout ?? "",
    stderr: result.stderr ?? String(result.error ?? ""),
  };
}

const missingImage = (image: string, engine: string, said: string): Error =>
  new Error(
    `the image ${image} is not in ${engine}'s local images (build it with scripts/build-image.sh): ${said.trim()}`,
  );

const docker: ContainerEngine = {
  name: "docker",
  imageConfig(image) {
    const inspect = capture("docker", ["image", "inspect", image]);
    if (inspect.status !== 0) throw missingImage(image, "docker", inspect.stderr);
    const [first] = JSON.parse(inspect.stdout) as { Config?: ImageConfig }[];
    return first?.Config ?? {};
  },
  prepare(image, run) {
    // Not --rm: podman's Docker API before 4.6 answers the wait of a --rm container with
    // exit code 0 whatever the program's (containers/podman#18889); a named container keeps
    // its code, and cleanup() removes it.
    const name = `amplitude-charts-${process.pid}-${randomBytes(4).toString("hex")}`;
    const args = ["run", "--name", name, "-i", "--network", "host"];
    for (const m of run.mounts ?? []) {
      args.push("-v", `${m.hostDir}:${m.containerDir}${m.writable ? "" : ":ro"}`);
    }
    for (const [name, value] of Object.entries(run.env ?? {})) args.push("-e", `${name}=${value}`);
    if (run.workdir !== undefined) args.push("-w", run.workdir);
    if (run.readOnlyRoot) args.push("--read-only");
    if (run.user !== undefined) args.push("--user", run.user);
    for (const folder of run.tmpfs ?? []) args.push("--tmpfs", folder);
    if (run.shellScript !== undefined)
      args.push("--entrypoint", "sh", image, "-c", run.shellScript);
    else args.push(image, ...(run.args ?? []));
    return {
      file: "docker",
      args,
      name,
      cleanup: () => void spawnSync("docker", ["rm", "-f", name], { stdio: "ignore" }),
    };
  },
};

const buildah: ContainerEngine = {
  name: "buildah",
  imageConfig(image) {
    const inspect = capture("buildah", ["inspect", "--type", "image", image]);
    if (inspect.status !== 0) throw missingImage(image, "buildah", inspect.stderr);
    return (JSON.parse(inspect.stdout) as { OCIv1?: { config?: ImageConfig } }).OCIv1?.config ?? {};
  },
  prepare(image, run) {
    const config = buildah.imageConfig(image);
    if (run.readOnlyRoot || run.tmpfs?.length) {
      throw new Error(
        "buildah cannot run an image with a read-only root file system or a tmpfs; use Docker",
      );
    }
    const from = capture("buildah", ["from", "--pull-never", "--quiet", image]);
    if (from.status !== 0) throw new Error(`buildah from ${image} failed: ${from.stderr}`);
    const container = from.stdout.trim();
    const args = ["run", "--isolation", "chroot"];
    const user = run.user ?? config.User;
    if (user) args.push("--user", user);
    for (const m of run.mounts ?? []) {
      args.push("-v", `${m.hostDir}:${m.containerDir}${m.writable ? "" : ":ro"}`);
    }
    for (const [name, value] of Object.entries(run.env ?? {}))
      args.push("--env", `${name}=${value}`);
    if (run.workdir !== undefined) args.push("--workingdir", run.workdir);
    args.push(container, "--");
    if (run.shellScript !== undefined) args.push("sh", "-c", run.shellScript);
    else args.push(...(config.Entrypoint ?? []), ...(run.args ?? []));
    return {
      file: "buildah",
      args,
      cleanup: () => void spawnSync("buildah", ["rm", container], { stdio: "ignore" }),
    };
  },
};
