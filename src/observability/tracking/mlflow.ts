// A small client for MLflow's REST API (2.0/mlflow/..., and mlflow-artifacts/ of a server run with
// --serve-artifacts): the calls experiment tracking needs, typed, with MLflow's error codes kept.
// Auth follows MLflow's own client: MLFLOW_TRACKING_TOKEN (Bearer) or MLFLOW_TRACKING_USERNAME/PASSWORD (Basic).

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface MlflowTag {
  key: string;
  value: string;
}
export interface MlflowRun {
  info: { run_id: string; experiment_id: string; artifact_uri: string; status: string; run_name?: string };
  data: { params?: MlflowTag[]; tags?: MlflowTag[]; metrics?: MlflowMetric[] };
}

export class MlflowError extends Error {
  override readonly name = 'MlflowError';
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | null,
  ) {
    super(message);
  }
}

/** MLflow's request limits (log-batch): larger batches are split. */
const MAX_PARAMS_PER_BATCH = 100;
const MAX_METRICS_PER_BATCH = 1000;

export class MlflowClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    uri: string,
    env: NodeJS.ProcessEnv = process.env,
    private readonly signal?: AbortSignal,
  ) {
    this.base = uri.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/json' };
    if (env.MLFLOW_TRACKING_TOKEN) this.headers.authorization = `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
    else if (env.MLFLOW_TRACKING_USERNAME)
      this.headers.authorization = `Basic ${Buffer.from(`${env.MLFLOW_TRACKING_USERNAME}:${env.MLFLOW_TRACKING_PASSWORD ?? ''}`).toString('base64')}`;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<T> {
    const url = `${this.base}/api/2.0/mlflow/${path}`;
    const res = await fetch(
      method === 'GET' && body ? `${url}?${new URLSearchParams(body as Record<string, string>)}` : url,
      {
        method,
        headers: this.headers,
        ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
        ...(this.signal ? { signal: this.signal } : {}),
      },
    );
    const text = await res.text();
    if (!res.ok) {
      let code: string | null = null;
      let message = text.slice(0, 500);
      try {
        const err = JSON.parse(text) as { error_code?: string; message?: string };
        code = err.error_code ?? null;
        message = err.message ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new MlflowError(`MLflow ${method} ${path}: HTTP ${res.status} ${code ?? ''} ${message}`, res.status, code);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** The experiment's id, creating it if missing (a concurrent create is fine: the loser reads the winner's). */
  async experimentId(name: string): Promise<string> {
    const get = () =>
      this.call<{ experiment: { experiment_id: string } }>('GET', 'experiments/get-by-name', { experiment_name: name });
    try {
      return (await get()).experiment.experiment_id;
    } catch (err) {
      if (!(err instanceof MlflowError) || err.errorCode !== 'RESOURCE_DOES_NOT_EXIST') throw err;
    }
    try {
      return (await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name })).experiment_id;
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')
        return (await get()).experiment.experiment_id;
      throw err;
    }
  }

  /** Runs of the experiment whose tag `key` is `value` (tag values are quoted, so any string is safe). */
  async runsByTag(experimentId: string, key: string, value: string): Promise<MlflowRun[]> {
    const quoted = `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    const res = await this.call<{ runs?: MlflowRun[] }>('POST', 'runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.\`${key}\` = ${quoted}`,
      max_results: 10,
      order_by: ['attributes.start_time ASC'],
    });
    return res.runs ?? [];
  }

  async createRun(experimentId: string, runName: string, startTime: number, tags: MlflowTag[]): Promise<MlflowRun> {
    return (
      await this.call<{ run: MlflowRun }>('POST', 'runs/create', {
        experiment_id: experimentId,
        run_name: runName,
        start_time: startTime,
        tags,
      })
    ).run;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (await this.call<{ run: MlflowRun }>('GET', 'runs/get', { run_id: runId })).run;
  }

  async logBatch(runId: string, batch: { params?: MlflowTag[]; metrics?: MlflowMetric[]; tags?: MlflowTag[] }) {
    const params = batch.params ?? [];
    const metrics = batch.metrics ?? [];
    for (let i = 0; i < params.length; i += MAX_PARAMS_PER_BATCH)
      await this.call('POST', 'runs/log-batch', { run_id: runId, params: params.slice(i, i + MAX_PARAMS_PER_BATCH) });
    for (let i = 0; i < metrics.length; i += MAX_METRICS_PER_BATCH)
      await this.call('POST', 'runs/log-batch', {
        run_id: runId,
        metrics: metrics.slice(i, i + MAX_METRICS_PER_BATCH),
      });
    if (batch.tags?.length) await this.call('POST', 'runs/log-batch', { run_id: runId, tags: batch.tags });
  }

  async updateRun(runId: string, status: 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED', endTime?: number) {
    await this.call('POST', 'runs/update', { run_id: runId, status, ...(endTime ? { end_time: endTime } : {}) });
  }

  async metricHistory(runId: string, key: string): Promise<MlflowMetric[]> {
    const res = await this.call<{ metrics?: MlflowMetric[] }>('GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
    });
    return res.metrics ?? [];
  }

  async listArtifacts(
    runId: string,
    path = '',
  ): Promise<Array<{ path: string; is_dir?: boolean; file_size?: number }>> {
    const res = await this.call<{ files?: Array<{ path: string; is_dir?: boolean; file_size?: number }> }>(
      'GET',
      'artifacts/list',
      { run_id: runId, ...(path ? { path } : {}) },
    );
    return res.files ?? [];
  }

  /**
   * Uploads (or overwrites) one artifact file of the run through the tracking server's artifact proxy
   * (`mlflow server --serve-artifacts`, the default since MLflow 2): the run's artifact URI is
   * `mlflow-artifacts:/<path>` and the file goes to `PUT /api/2.0/mlflow-artifacts/artifacts/<path>/<file>`.
   */
  async putArtifact(run: MlflowRun, file: string, content: string | Uint8Array, contentType: string): Promise<void> {
    const uri = run.info.artifact_uri;
    const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(uri);
    if (!m)
      throw new MlflowError(
        `run ${run.info.run_id} stores artifacts at ${uri}: only a tracking server with --serve-artifacts ` +
          '(artifact URI mlflow-artifacts:/...) can take uploads over HTTP',
        0,
        null,
      );
    const path = [...m[1]!.split('/'), ...file.split('/')].filter(Boolean).map(encodeURIComponent).join('/');
    const res = await fetch(`${this.base}/api/2.0/mlflow-artifacts/artifacts/${path}`, {
      method: 'PUT',
      headers: { ...this.headers, 'content-type': contentType },
      body: content,
      ...(this.signal ? { signal: this.signal } : {}),
    });
    if (!res.ok)
      throw new MlflowError(
        `MLflow artifact upload ${file}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`,
        res.status,
        null,
      );
  }
}
