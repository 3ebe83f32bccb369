// The one config schema: every knob of rloop, with defaults and a description the docs are generated from.
// Pure (zod only): the workflows parse their input with it too, so a JSON file given to `temporal workflow start`
// gets the same defaults and the same error messages as `rloop run`.
import { z } from 'zod';
import {
  datasetOptionsSchema,
  generatorObjectiveSchema,
  judgedCorrectAtSchema,
  reliabilityConfigSchema,
} from '../domain';
import { s3StoreConfigSchema } from '../store/s3-config';
import { ENDPOINT_KINDS } from '../llm/presets';
import { deploymentsSchema } from './deployment';

const name = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
    'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const endpointSchema = z
  .object({
    baseURL: z.url().describe('OpenAI-compatible base URL, including /v1 (e.g. http://gpu-box:8000/v1 for vLLM).'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable NAME (e.g. OPENAI_API_KEY), never the key itself')
      .optional()
      .describe('Name of the environment variable holding the API key. The key itself never goes in this file.'),
    concurrency: z
      .int()
      .min(1)
      .max(4096)
      .default(16)
      .describe('Maximum requests in flight to this endpoint per worker.'),
    timeoutMs: z.int().min(100).max(3_600_000).default(120_000).describe('Per-request timeout in milliseconds.'),
    kind: z
      .enum(ENDPOINT_KINDS)
      .optional()
      .describe(
        'Server kind (default openai), for what its requests need (src/llm/presets.ts): openai, vllm, llamacpp (cache_prompt), ollama ' +
          '(no n), openai-reasoning (max_completion_tokens, no temperature/top_p).',
      ),
    supportsJsonSchema: z
      .boolean()
      .optional()
      .describe(
        "Whether the server honours response_format json_schema (default: the kind's; all kinds do); if not, JSON " +
          'is extracted tolerantly.',
      ),
    maxN: z
      .int()
      .min(1)
      .max(128)
      .optional()
      .describe("Largest n per request (llama.cpp: its --parallel slots); default: the kind's."),
    extraBody: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Fields added to every request body, e.g. {guided_decoding_backend: xgrammar} for some vLLM versions.'),
  })
  .strict();

const modelRef = {
  endpoint: name.describe('Key of an entry in `endpoints`.'),
  model: z.string().min(1).describe('Model id as the endpoint knows it.'),
  maxTokens: z.int().min(1).max(131_072).default(1024).describe('Completion token limit per call.'),
};

const temperature = z.number().min(0).max(2);
const regimeBase = {
  name: name.describe('Regime name, shown in datasets and reports.'),
  tag: z.enum(['strong', 'weak']).describe('Which side of R_sep this regime counts for.'),
  samples: z.int().min(1).max(64).default(1).describe('Answers drawn per question under this regime.'),
  temperature: temperature.default(0.7).describe('Sampling temperature.'),
  topP: z.number().gt(0).max(1).optional().describe('Nucleus sampling mass.'),
};

export const regimeSchema = z.discriminatedUnion('kind', [
  z.object({ ...regimeBase, kind: z.literal('temperature') }).strict(),
  z
    .object({
      ...regimeBase,
      kind: z.literal('best-of-n'),
      n: z.int().min(2).max(32).describe('Candidates per answer; the judge picks the best one.'),
    })
    .strict(),
  z
    .object({
      ...regimeBase,
      kind: z.literal('model'),
      model: z.string().min(1).describe('Another (e.g. smaller) model to sample from.'),
      endpoint: name.optional().describe('Endpoint of that model; defaults to the solver endpoint.'),
    })
    .strict(),
  z
    .object({ ...regimeBase, kind: z.literal('checkpoint') })
    .strict()
    .describe("The campaign's previous solver checkpoint (the current solver in the first iteration)."),
]);

const pollInterval = z.int().min(1).max(86_400).default(30).describe('Seconds between status checks of a running job.');
const jobTimeout = z
  .int()
  .min(60)
  .max(30 * 86_400)
  .default(86_400)
  .describe('Seconds before a job is cancelled as stuck.');

const noneTrainer = z
  .object({ backend: z.literal('none') })
  .strict()
  .describe('Write the datasets only; train elsewhere.');

const openAiTrainer = z
  .object({
    backend: z.literal('openai'),
    endpoint: name.describe('Endpoint whose baseURL/apiKeyEnv serve the fine-tuning API (OpenAI or compatible).'),
    method: z
      .enum(['supervised', 'dpo', 'reinforcement'])
      .optional()
      .describe('Fine-tuning method; the solver always uses dpo.'),
    suffix: z.string().max(40).optional().describe('Suffix of the fine-tuned model name.'),
    hyperparameters: z
      .record(z.string(), z.union([z.number(), z.string()]))
      .optional()
      .describe('Passed through to the API.'),
    pollIntervalSeconds: pollInterval,
    timeoutSeconds: jobTimeout,
  })
  .strict();

const commandTrainer = z
  .object({
    backend: z.literal('command'),
    command: z
      .string()
      .min(1)
      .describe('Command template run with a shell; {dataset}, {outputDir}, {baseModel}, {jobKey} are substituted.'),
    statusCommand: z
      .string()
      .min(1)
      .optional()
      .describe('Optional status command ({jobId}, {outputDir}); without it, completion is the exit code.'),
    cancelCommand: z
      .string()
      .min(1)
      .optional()
      .describe('With statusCommand: how to cancel a job ({jobId}, {outputDir}), e.g. "scancel {jobId}".'),
    workdir: z.string().optional().describe('Working directory of the command.'),
    pollIntervalSeconds: pollInterval,
    timeoutSeconds: jobTimeout,
  })
  .strict();

const httpTrainer = z
  .object({
    backend: z.literal('http'),
    url: z.url().describe('POST a job here; the response gives its status URL (see README for the JSON contract).'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable NAME')
      .optional(),
    pollIntervalSeconds: pollInterval,
    timeoutSeconds: jobTimeout,
  })
  .strict();

export const trainerSchema = z.discriminatedUnion('backend', [noneTrainer, openAiTrainer, commandTrainer, httpTrainer]);

/** How the solver learns from judged answers (the seed's three updates); see src/domain/README.md for the datasets. */
export const SOLVER_METHODS = ['dpo', 'policy-gradient', 'ranking'] as const;
export type SolverMethod = (typeof SOLVER_METHODS)[number];
const solverMethod = z
  .enum(SOLVER_METHODS)
  .default('dpo')
  .describe(
    'How the solver is updated: dpo (preference pairs, solver.trl-dpo / solver.openai-dpo), policy-gradient ' +
      '(answers with group-normalised advantages, solver.pg) or ranking (listwise Plackett-Luce over each ' +
      "question's answers, solver.ranking). The openai backend trains dpo only.",
  );

/** The solver's trainer: any backend, plus the method (the openai variant's generator methods do not apply). */
export const solverTrainerSchema = z.discriminatedUnion('backend', [
  noneTrainer.extend({ method: solverMethod }),
  openAiTrainer.extend({ method: solverMethod }),
  commandTrainer.extend({ method: solverMethod }),
  httpTrainer.extend({ method: solverMethod }),
]);

/** Methods each backend can train the solver with (openai's fine-tuning API has DPO, not these offline losses). */
export const SOLVER_METHODS_BY_BACKEND: Record<z.infer<typeof trainerSchema>['backend'], readonly SolverMethod[]> = {
  none: SOLVER_METHODS,
  openai: ['dpo'],
  command: SOLVER_METHODS,
  http: SOLVER_METHODS,
};

export const judgeModeSchema = z.enum(['pointwise', 'pairwise', 'ranking']);

export const configSchema = z
  .object({
    campaign: z
      .object({
        name: name.describe('Campaign name; workflow ids are campaign-<name> and campaign-<name>-iter-<n>.'),
        iterations: z.int().min(1).max(100_000).default(3).describe('Iterations to run before the campaign ends.'),
        questionsPerIteration: z.int().min(1).max(1_000_000).default(32).describe('Questions generated per iteration.'),
        shardSize: z.int().min(1).max(10_000).default(16).describe('Questions per shard child workflow.'),
        maxConcurrentShards: z.int().min(1).max(1_000).default(8).describe('Shard child workflows running at once.'),
        seed: z.int().min(0).default(0).describe('Seed for sampling indices and bootstrap intervals.'),
      })
      .strict(),
    endpoints: z
      .record(name, endpointSchema)
      .refine((r) => Object.keys(r).length > 0, 'at least one endpoint is required')
      .describe('Named OpenAI-compatible endpoints.'),
    roles: z
      .object({
        generator: z
          .object({
            ...modelRef,
            temperature: temperature.default(1).describe('Sampling temperature of the question generator.'),
            topic: z.string().max(2000).optional().describe('Optional guidance on what questions to ask.'),
            objective: generatorObjectiveSchema,
            judgedCorrectAt: judgedCorrectAtSchema,
          })
          .strict(),
        solver: z
          .object({
            ...modelRef,
            regimes: z
              .array(regimeSchema)
              .min(2)
              .describe('Sampling regimes; at least one strong and one weak.')
              .refine((rs) => rs.some((r) => r.tag === 'strong') && rs.some((r) => r.tag === 'weak'), {
                message: 'needs at least one regime tagged strong and one tagged weak',
              })
              .refine((rs) => new Set(rs.map((r) => r.name)).size === rs.length, {
                message: 'regime names must be unique',
              }),
          })
          .strict(),
        judge: z
          .object({
            ...modelRef,
            temperature: temperature.default(0.7).describe('Judge temperature (>0 so repeated passes can disagree).'),
            passes: z.int().min(1).max(32).default(3).describe('Repeated judging passes K.'),
            modes: z.array(judgeModeSchema).min(1).default(['pointwise']).describe('Judging modes to run.'),
            scale: z
              .object({
                min: z.number().default(1),
                max: z.number().default(10),
              })
              .strict()
              .default({ min: 1, max: 10 })
              .refine((s) => s.max > s.min, { message: 'scale.max must be greater than scale.min' })
              .describe('Score scale of pointwise judging.'),
            maxPairsPerQuestion: z
              .int()
              .min(1)
              .max(1000)
              .default(6)
              .describe('Pairwise mode: answer pairs judged per question (each in both orders).'),
            adaptive: z
              .object({
                enabled: z.boolean().default(false).describe('Judge in rounds and stop once a question is settled.'),
                minPasses: z.int().min(2).max(32).default(2).describe('Passes every item gets before any stops.'),
                maxPasses: z
                  .int()
                  .min(2)
                  .max(32)
                  .optional()
                  .describe('Passes an unsettled item gets at most (K); defaults to `passes`.'),
                rule: z
                  .enum(['range', 'sequential', 'range-or-sequential'])
                  .default('range')
                  .describe(
                    'What stops judging. range: the range bound (src/domain/adaptive.ts), per answer and per question, ' +
                      'after minPasses. sequential: a question stops once the sequential rule ' +
                      '(src/domain/adaptiveSequential.ts) predicts its fixed-K outcome at errorRate; it may stop after ' +
                      'pass 1, minPasses does not apply to it. range-or-sequential: before every pass from pass 1 on, ' +
                      'a question the sequential rule settles stops; otherwise the range bound decides as under range.',
                  ),
                errorRate: z
                  .number()
                  .gt(0)
                  .max(0.5)
                  .default(0.005)
                  .describe(
                    'Sequential rule: largest predicted chance, under its model, that fixed K passes would give ' +
                      'another outcome, at which a question stops.',
                  ),
                settlePairs: z
                  .boolean()
                  .default(false)
                  .describe(
                    'Sequential rule: a passing question stops only once its solver preference pairs are settled too ' +
                      '(far fewer calls saved; BENCHMARKS.md).',
                  ),
                perMode: z
                  .boolean()
                  .default(false)
                  .describe(
                    'Rule sequential only: after each pass the rule may also stop one mode of a question for good ' +
                      '(its pointwise or its pairwise judgments) when judging only the other, or nothing, is predicted ' +
                      'at errorRate to end with the fixed-K outcome (src/domain/adaptiveSequential.ts, ' +
                      'sequentialModesNextPass).',
                  ),
              })
              .strict()
              .refine((a) => !a.perMode || a.rule === 'sequential', {
                message: 'applies to rule: sequential only',
                path: ['perMode'],
              })
              .optional()
              .describe(
                'Adaptive passes: stop repeating judgments once the pass/fail decision of a question is settled, by ' +
                  'the range bound (after minPasses, if later judgments stay within what each item has already ' +
                  'shown) and/or the sequential rule (at a stated error rate); see `rule`.',
              ),
          })
          .strict(),
      })
      .strict(),
    training: z
      .object({
        generator: trainerSchema
          .default({ backend: 'none' })
          .describe(
            "How the generator is trained on its objective's rewards (roles.generator.objective; R_G by default).",
          ),
        solver: solverTrainerSchema
          .default({ backend: 'none', method: 'dpo' })
          .describe('How the solver is trained: the backend, and the method (dpo, policy-gradient or ranking).'),
      })
      .strict()
      .prefault({}),
    deployment: deploymentsSchema.prefault({}),
    promotion: z
      .object({
        holdoutFraction: z
          .number()
          .min(0)
          .max(0.9)
          .default(0.25)
          .describe(
            'Share of reliable questions kept out of solver training and used to compare new vs current solver.',
          ),
        samples: z.int().min(1).max(16).default(2).describe('Answers per model per holdout question.'),
        passes: z
          .int()
          .min(1)
          .max(8)
          .default(2)
          .describe('Pairwise passes per holdout pair (each pass judges both orders).'),
        minWinRateLowerBound: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe('Promote the new solver only if the Wilson 95% lower bound of its win rate exceeds this.'),
        generatorQuestions: z
          .int()
          .min(0)
          .max(10_000)
          .default(16)
          .describe(
            'Questions the new generator writes to check it did not lose on its objective (0 = promote without check).',
          ),
        generatorTolerance: z
          .number()
          .min(0)
          .max(1)
          .default(0.05)
          .describe(
            "Promote the new generator only if its check batch's mean objective reward (R_G by default) >= the current batch's minus this.",
          ),
      })
      .strict()
      .prefault({}),
    audit: z
      .object({
        anchorsFile: z
          .string()
          .min(1)
          .optional()
          .describe('JSONL of anchor items {"question", "better", "worse"} judged alongside every iteration.'),
        passes: z
          .int()
          .min(1)
          .max(16)
          .default(2)
          .describe('Pairwise passes over each anchor (each pass judges both orders).'),
        minAccuracy: z
          .number()
          .min(0)
          .max(1)
          .default(0.8)
          .describe('Stop before training if judge accuracy on anchors is below this.'),
        maxPositionBias: z
          .number()
          .min(0)
          .max(1)
          .default(0.35)
          .describe('Stop before training if the position-bias rate on anchors is above this.'),
      })
      .strict()
      .prefault({}),
    budget: z
      .object({
        maxTokens: z.int().min(1).optional().describe('Per-iteration token budget across roles.'),
        maxCalls: z
          .object({
            generator: z.int().min(1).optional(),
            solver: z.int().min(1).optional(),
            judge: z.int().min(1).optional(),
          })
          .strict()
          .prefault({})
          .describe('Per-iteration caps on model calls per role.'),
      })
      .strict()
      .prefault({})
      .describe('Hitting a budget ends the iteration cleanly (no new shards, no training) with the reason recorded.'),
    limits: z
      .object({
        maxFailedShare: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe(
            "Share of one step's model calls (a shard's generate, sample or judge step, the gate's) that may fail " +
              'for their own input (context overflow, content filter, a reply still invalid after one repair) and ' +
              'be recorded as failed rows; above it the step fails as systemic (0 = any such failure fails the step).',
          ),
      })
      .strict()
      .prefault({})
      .describe(
        'Failure tolerance. Auth, unknown model and bad config fail a step at once whatever this says; 429/5xx/timeouts retry.',
      ),
    reliability: reliabilityConfigSchema.prefault({}),
    datasets: datasetOptionsSchema.prefault({}),
    storage: z
      .object({
        kind: z
          .enum(['fs', 's3'])
          .default('fs')
          .describe('Artifact store: a shared folder (fs) or an S3-compatible bucket (s3).'),
        root: z
          .string()
          .min(1)
          .default('.rloop/artifacts')
          .describe('fs: artifact root directory (shared by all workers).'),
        s3: s3StoreConfigSchema
          .omit({ kind: true })
          .optional()
          .describe('s3: bucket, prefix, endpoint, region, forcePathStyle.'),
        cacheDir: z.string().min(1).default('.rloop/cache').describe('Request cache directory (local to each worker).'),
        jobsDir: z
          .string()
          .min(1)
          .default('.rloop/jobs')
          .describe(
            'Folder for trainer job outputs (command backend: logs, model_id.txt); visible to the workers that poll.',
          ),
      })
      .strict()
      .refine((s) => s.kind !== 's3' || s.s3 !== undefined, {
        message: 'kind s3 needs an s3 section (bucket, ...)',
        path: ['s3'],
      })
      .prefault({}),
    temporal: z
      .object({
        address: z
          .string()
          .min(1)
          .optional()
          .describe('host:port; TEMPORAL_ADDRESS overrides; default localhost:7233.'),
        namespace: z.string().min(1).optional().describe('Namespace; TEMPORAL_NAMESPACE overrides; default "default".'),
        taskQueue: z.string().min(1).default('rloop').describe('Task queue of workflows and activities.'),
        roleQueues: z
          .boolean()
          .default(false)
          .describe(
            'Send model calls and trainer jobs to <taskQueue>-generate, -solve, -judge and -train, so workers can run ' +
              'beside the endpoints and GPUs (`rloop worker --queues judge,solve`).',
          ),
      })
      .strict()
      .prefault({}),
    tracking: z
      .object({
        kind: z.literal('mlflow').describe('The experiment tracker: an MLflow tracking server.'),
        uri: z
          .url({ protocol: /^https?$/ })
          .describe(
            'Tracking server URL (run with --serve-artifacts, the default); auth from MLFLOW_TRACKING_TOKEN or ' +
              'MLFLOW_TRACKING_USERNAME/PASSWORD in the worker environment.',
          ),
        experiment: z.string().min(1).optional().describe('Experiment name; default "rloop".'),
      })
      .strict()
      .optional()
      .describe(
        'Log each campaign as a tracker run: config as params, per-iteration metrics by step, the HTML report and ' +
          'dataset refs as artifacts.',
      ),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const known = new Set(Object.keys(cfg.endpoints));
    const check = (endpoint: string | undefined, path: (string | number)[]) => {
      if (endpoint !== undefined && !known.has(endpoint)) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `unknown endpoint "${endpoint}" (known: ${[...known].join(', ')})`,
        });
      }
    };
    check(cfg.roles.generator.endpoint, ['roles', 'generator', 'endpoint']);
    check(cfg.roles.solver.endpoint, ['roles', 'solver', 'endpoint']);
    check(cfg.roles.judge.endpoint, ['roles', 'judge', 'endpoint']);
    for (const role of ['generator', 'solver'] as const) {
      const t = cfg.training[role];
      if (t.backend === 'openai') check(t.endpoint, ['training', role, 'endpoint']);
    }
    // OpenAI reinforcement fine-tuning grades fresh samples with graders; rloop exports precomputed rewards, so the
    // generator's reinforcement-style training is the command backend's offline policy gradient (generator.rl rows).
    if (cfg.training.generator.backend === 'openai' && cfg.training.generator.method === 'reinforcement') {
      ctx.addIssue({
        code: 'custom',
        path: ['training', 'generator', 'method'],
        message:
          'reinforcement is not supported by backend: openai (supported: supervised, dpo); for policy-gradient ' +
          'training of the generator use backend: command with python -m rloop_ml.train_generator_rl ' +
          '(or backend: http, whose service receives the generator.rl rows)',
      });
    }
    const solver = cfg.training.solver;
    if (!SOLVER_METHODS_BY_BACKEND[solver.backend].includes(solver.method)) {
      ctx.addIssue({
        code: 'custom',
        path: ['training', 'solver', 'method'],
        message:
          `the "${solver.backend}" training backend cannot train the solver with method "${solver.method}" ` +
          `(it trains ${SOLVER_METHODS_BY_BACKEND[solver.backend].join(', ')}); use backend command or http for it`,
      });
    }
    cfg.roles.solver.regimes.forEach((r, i) => {
      if (r.kind === 'model') check(r.endpoint, ['roles', 'solver', 'regimes', i, 'endpoint']);
    });
  });

export type RloopConfig = z.infer<typeof configSchema>;
export type RloopConfigInput = z.input<typeof configSchema>;
export type EndpointConfig = z.infer<typeof endpointSchema>;
export type TrainerConfig = z.infer<typeof trainerSchema>;
export type SolverTrainerConfig = z.infer<typeof solverTrainerSchema>;
export type Regime = z.infer<typeof regimeSchema>;
export type JudgeMode = z.infer<typeof judgeModeSchema>;
export type StorageConfig = RloopConfig['storage'];
export type RoleName = 'generator' | 'solver' | 'judge';
