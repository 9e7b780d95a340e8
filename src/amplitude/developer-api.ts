import type { DeveloperApiSettings } from "../config/config.js";
import type { HttpClient, RequestHooks } from "../http/http-client.js";
import { ConnectorError } from "../errors.js";
import { isObject } from "../json.js";
import { readSome } from "../http/http-client.js";
import { ChartNotFound, developerErrorTable } from "./developer-api-errors.js";

/** The Developer API's Chart object, as much of it as the connector reads (the rest is ignored). */
export interface DeveloperChart {
  id?: unknown;
  name?: unknown;
  description?: unknown;
  chart_type?: unknown;
  url?: unknown;
  updated_at?: unknown;
  definition?: unknown;
}

/** Answers are small JSON documents; anything larger is not what we asked for. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * Amplitude's Developer API (Early Access, v1), for the chart details the export lacks:
 * `GET /v1/projects/{project_id}/charts/{chart_id}?include_definition=true` with a personal
 * access token sent as `Bearer PAT=<token>`, as Amplitude's own CLI sends it. Its answers
 * mean what developer-api-errors.ts says; the HTTP machinery is the connector's.
 */
export class DeveloperApi {
  private readonly authorization: string;
  private project: Promise<string> | undefined;

  constructor(
    private readonly settings: DeveloperApiSettings,
    private readonly http: HttpClient,
  ) {
    this.authorization = `Bearer PAT=${settings.token}`;
  }

  /** project_id, or the one project the token sees (more or none is a config error). */
  projectId(hooks: RequestHooks & { deadline?: number } = {}): Promise<string> {
    this.project ??=
      this.settings.projectId !== undefined
        ? Promise.resolve(this.settings.projectId)
        : this.onlyProject(hooks);
    return this.project;
  }

  /** The chart's details with its definition; undefined when the API does not know the chart. */
  async chart(
    chartId: string,
    hooks: RequestHooks & { deadline?: number } = {},
  ): Promise<DeveloperChart | undefined> {
    const projectId = await this.projectId(hooks);
    const path = `/v1/projects/${encodeURIComponent(projectId)}/charts/${encodeURIComponent(chartId)}?include_definition=true`;
    try {
      const data = await this.getJson(path, `the details of chart ${chartId}`, hooks, projectId);
      return isObject(data) ? data : {};
    } catch (error) {
      if (error instanceof ChartNotFound) return undefined;
      throw error;
    }
  }

  private async onlyProject(hooks: RequestHooks & { deadline?: number }): Promise<string> {
    const data = await this.getJson("/v1/projects?limit=2", "the list of projects", hooks);
    const projects = Array.isArray(data) ? data.filter(isObject) : [];
    const ids = projects.map((p) => p.id).filter((id): id is string => typeof id === "string");
    if (ids.length === 1) return ids[0] as string;
    throw new ConnectorError(
      "config_error",
      ids.length === 0
        ? "developer_api_token sees no Amplitude project: set project_id to the numeric ID of the project that holds the charts (Amplitude: Settings > Projects)."
        : "developer_api_token sees more than one Amplitude project: set project_id to the numeric ID of the one that holds the charts (Amplitude: Settings > Projects).",
    );
  }

  /** The `data` of a JSON answer. */
  private async getJson(
    path: string,
    what: string,
    hooks: RequestHooks & { deadline?: number },
    projectId?: string,
  ): Promise<unknown> {
    const url = `${this.settings.baseUrl}${path}`;
    const text = await this.http.get(
      {
        url,
        headers: { authorization: this.authorization, accept: "application/json" },
        label: `Developer API, ${what}`,
        table: developerErrorTable({ what, url, ...(projectId !== undefined && { projectId }) }),
        ...hooks,
      },
      async ({ body }) => readSome(body, MAX_ANSWER_BYTES),
    );
    try {
      return (JSON.parse(text) as { data?: unknown }).data;
    } catch {
      throw new ConnectorError(
        "system_error",
        `Amplitude's Developer API answered ${what} with something that is not JSON. If developer_api_base_url is set, check it.`,
      );
    }
  }
}
