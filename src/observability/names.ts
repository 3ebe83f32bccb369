// The names of rloop's own metrics, in one place: the code that records them, the Grafana dashboard and the tests
// refer to these. Counters appear in Prometheus with a `_total` suffix (the runtime's countersTotalSuffix).
export const METRIC = {
  /** Model calls that returned (each HTTP request; a repair is a second call). Tags: role, endpoint, model. */
  modelCalls: 'rloop_model_calls',
  /** Model calls that failed, by kind (`ModelCall.RateLimit`, ..., `InvalidOutput`, `Cancelled`). */
  modelCallFailures: 'rloop_model_call_failures',
  /** Tokens of returned calls. Tags: role, endpoint, type (prompt | completion). */
  modelTokens: 'rloop_model_tokens',
  /** Wall time of one model call in seconds, failed or not. Tags: role, endpoint. */
  modelCallSeconds: 'rloop_model_call_seconds',
  /** Requests answered from the request cache (no call paid). Tags: role, endpoint. */
  requestCacheHits: 'rloop_request_cache_hits',
  /** Judge calls adaptive judging did not make, against a fixed-K run of the same passes. */
  judgeCallsSaved: 'rloop_judge_calls_saved',
  /** Per iteration (tag campaign): share of questions that passed the reliability thresholds. */
  reliableShare: 'rloop_iteration_reliable_share',
  /** Per iteration (tag campaign): mean R_G over scored questions. */
  meanReward: 'rloop_iteration_mean_reward',
  /** Per iteration (tag campaign): the candidate solver's win rate at the promotion gate. */
  gateWinRate: 'rloop_gate_win_rate',
  /** Iterations finished. Tag: campaign. */
  iterations: 'rloop_iterations',
  /** Trainer job duration from submit to a terminal state, seconds. Tags: role, backend, state. */
  trainerJobSeconds: 'rloop_trainer_job_seconds',
  /** A trained checkpoint's deployment, from start to served (or failed), seconds. Tags: role, backend, outcome. */
  deploymentSeconds: 'rloop_deployment_seconds',
} as const;

/** Histogram buckets (seconds) for the runtime's Prometheus exporter; its defaults top out at 10 s. */
export const HISTOGRAM_BUCKETS: Record<string, number[]> = {
  [METRIC.modelCallSeconds]: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  [METRIC.trainerJobSeconds]: [1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400],
  [METRIC.deploymentSeconds]: [0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
};
