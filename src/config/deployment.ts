// How a trained checkpoint becomes callable: one deployment backend per trained role. Pure (zod only).
import { z } from 'zod';

const timeout = z
  .int()
  .min(5)
  .max(86_400)
  .default(900)
  .describe(
    'Seconds the deploy step may take (conversion, load, and waiting until the endpoint lists the model and answers ' +
      'a tiny call); past it the step fails, naming endpoint and model.',
  );
const baseCheckpoint = z
  .string()
  .min(1)
  .optional()
  .describe(
    "Checkpoint (path or hub id) of the role's configured model, given to the trainer as {baseModel} until a " +
      'trained checkpoint is promoted; without it the served model id is given.',
  );
const keepSuperseded = z
  .boolean()
  .default(false)
  .describe(
    'Keep a promoted model served once nothing calls it any more (a newer generator was promoted; for the solver, ' +
      'two newer ones, since the previous solver feeds the `checkpoint` regime). By default it is undeployed.',
  );
const common = { timeoutSeconds: timeout, baseCheckpoint, keepSuperseded };

export const deploymentSchema = z.discriminatedUnion('backend', [
  z
    .object({ backend: z.literal('none'), ...common })
    .strict()
    .describe(
      "The trainer's model id is served already (OpenAI fine-tuning, the simulator, a server that loads by path): " +
        'only wait until the endpoint lists it and answers.',
    ),
  z
    .object({
      backend: z.literal('vllm-lora'),
      ...common,
      apiKeyEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable NAME')
        .optional()
        .describe("Key for vLLM's admin routes if it differs from the endpoint's."),
    })
    .strict()
    .describe(
      "vLLM's runtime LoRA API (server started with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True): " +
        'POST /v1/load_lora_adapter {lora_name, lora_path}; a rejected candidate is unloaded.',
    ),
  z
    .object({
      backend: z.literal('command'),
      ...common,
      command: z
        .string()
        .min(1)
        .describe(
          'Deploy command run with a shell; {modelPath}, {modelId}, {role} are substituted, shell-quoted. It must be ' +
            'idempotent: a retried step runs it again.',
        ),
      undeployCommand: z
        .string()
        .min(1)
        .optional()
        .describe('Run for a candidate the gate rejects ({modelId}, {modelPath}, {role}).'),
      workdir: z.string().optional().describe('Working directory of the commands.'),
    })
    .strict(),
  z
    .object({
      backend: z.literal('local'),
      ...common,
      python: z
        .string()
        .min(1)
        .default('.tools/py/bin/python')
        .describe('Interpreter with rloop_ml installed (scripts/setup-python.mjs makes .tools/py).'),
      adminURL: z
        .url()
        .optional()
        .describe("The model host's admin base (default: the endpoint's baseURL without /v1)."),
      outtype: z
        .enum(['q8_0', 'f16', 'bf16', 'f32'])
        .default('q8_0')
        .describe('GGUF type of the converted checkpoint.'),
    })
    .strict()
    .describe(
      'The CPU profile: convert the checkpoint to GGUF (python -m rloop_ml.convert) and load it into the local model ' +
        'host (python -m rloop_ml.serve) by PUT /admin/models/{id}; a rejected candidate is DELETEd.',
    ),
]);

export const deploymentsSchema = z
  .object({
    generator: deploymentSchema.optional().describe('How a trained generator is served.'),
    solver: deploymentSchema.optional().describe('How a trained solver is served.'),
  })
  .strict()
  .describe(
    'Deployment of trained models, a step between a successful training job and the promotion gate; on the ' +
      "role's endpoint (roles.<role>.endpoint). Without it the trainer's model id is used as it is.",
  );

export type DeploymentConfig = z.infer<typeof deploymentSchema>;
