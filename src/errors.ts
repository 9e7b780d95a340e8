/** Airbyte's failure types: who has to act. */
export type FailureType = "config_error" | "system_error" | "transient_error";

/**
 * The one error class the connector raises on purpose. `message` is for the user
 * (what happened, which chart, what to do next); `internalMessage` is for whoever
 * debugs it. Both pass through the secret filter before they are printed.
 */
export class ConnectorError extends Error {
  readonly failureType: FailureType;
  readonly internalMessage: string | undefined;
  /** What happened, without the advice (the message is both). */
  readonly problem: string;
  /** What to do next, when it is the same for every chart that fails this way (check says it once). */
  readonly advice: string | undefined;

  constructor(
    failureType: FailureType,
    problem: string,
    options: { internalMessage?: string; cause?: unknown; advice?: string } = {},
  ) {
    super(options.advice ? `${problem} ${options.advice}` : problem, { cause: options.cause });
    this.name = "ConnectorError";
    this.failureType = failureType;
    this.internalMessage = options.internalMessage;
    this.problem = problem;
    this.advice = options.advice;
  }
}

export const configError = (message: string, internalMessage?: string): ConnectorError =>
  new ConnectorError("config_error", message, { internalMessage });

/** A bad command line: the CLI answers with exit code 2 rather than 1. */
export class UsageError extends ConnectorError {
  constructor(message: string) {
    super("config_error", message);
    this.name = "UsageError";
  }
}

/** What stopped a command from outside: a signal, or stdout closed by its reader. */
export type StopCause = "SIGTERM" | "SIGINT" | "EPIPE";

/**
 * The command was stopped from outside, not by a failure: it ends at once, with the exit
 * code a shell gives a process that such a signal ends (128 + its number).
 */
export class Interrupted extends Error {
  constructor(readonly stopCause: StopCause) {
    super(`stopped by ${stopCause}`);
    this.name = "Interrupted";
  }

  get exitCode(): number {
    return { SIGINT: 130, EPIPE: 141, SIGTERM: 143 }[this.stopCause];
  }
}

/** Any thrown value as a ConnectorError; unknown failures are system errors. */
export function asConnectorError(error: unknown, context: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new ConnectorError("system_error", `${context}: ${detail}`, {
    internalMessage: detail,
    cause: error,
  });
}

export function stackOf(error: unknown): string | undefined {
  return error instanceof Error ? error.stack : undefined;
}

/** The first characters of a text (an answer, a body), on one line, for a message. */
export function preview(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(empty body)";
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
