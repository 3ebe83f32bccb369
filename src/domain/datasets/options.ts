import { z } from 'zod';

export const datasetOptionsSchema = z
  .object({
    minMargin: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe(
        'Minimum gap between chosen and rejected: in mean normalised judge score (solver pairs on the score basis) and ' +
          'in reward R_G (generator question pairs).',
      ),
    minStrengthMargin: z
      .number()
      .min(0)
      .max(20)
      .default(0.4)
      .describe(
        'Minimum gap in Bradley-Terry log-strength between chosen and rejected when solver pairs use strengths ' +
          '(0.4 means the judge prefers chosen with probability >= 0.6).',
      ),
    basis: z
      .enum(['auto', 'score', 'strength'])
      .default('auto')
      .describe(
        'What ranks solver answers: mean normalised pointwise score, Bradley-Terry strength from pairwise/ranking ' +
          'judgments, or auto (strength when the report has any, else score).',
      ),
    maxPairsPerQuestion: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(2)
      .describe(
        'At most this many solver preference pairs per question (largest margins first, disjoint pairs first).',
      ),
    pairSelection: z
      .enum(['largest-margin', 'settled'])
      .default('largest-margin')
      .describe(
        'Which solver preference pairs a question gives. largest-margin: the largest margins (above). settled: only ' +
          'pairs whose order the raw judgments settle, by the sign of a one-sided 95 % credible interval (strength ' +
          'basis: a directly judged pair, win share from both orders, ties half, Jeffreys prior; score basis: the mean ' +
          'score difference with the variance pooled over the question), taken in answer-id order rather than by ' +
          'margin, so the choice does not move with small changes of the margins.',
      ),
    pairCredibility: z
      .number()
      .min(0.5)
      .max(0.999)
      .default(0.84)
      .describe(
        'pairSelection settled: one-sided credibility of the interval (0.84 = mean minus one sd; the best of ' +
          '0.75, 0.84, 0.90, 0.95 replayed on the simulator, BENCHMARKS.md).',
      ),
    maxPairsPerGroup: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(4)
      .describe('At most this many question preference pairs per generator group (generator DPO export).'),
    dedup: z
      .object({
        threshold: z
          .number()
          .min(0)
          .max(1)
          .default(0.7)
          .describe('Shingle Jaccard similarity at or above which two generated questions are near-duplicates.'),
        shingleSize: z.number().int().min(1).max(20).default(3).describe('Shingle length (words or characters).'),
        unit: z.enum(['word', 'char']).default('word').describe('Shingle unit: word n-grams or character n-grams.'),
        penalty: z
          .number()
          .min(0)
          .max(1)
          .default(1)
          .describe(
            'Share of reward removed from a later near-duplicate in a batch (1 = reward 0); the first keeps it.',
          ),
      })
      .prefault({})
      .describe('Near-duplicate guard for generated questions.'),
    sftMinReward: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        'Generator SFT export keeps only questions whose reward (after the duplicate penalty) is at least this.',
      ),
    tieEpsilon: z
      .number()
      .min(0)
      .max(1)
      .default(0.01)
      .describe(
        'Solver ranking lists: answers whose aggregated scores (on [0, 1]) are within this of the first answer of a ' +
          'run of consecutive positions form a tie group (the ranking loss imposes no order inside it).',
      ),
    advantageEps: z
      .number()
      .gt(0)
      .max(1)
      .default(1e-6)
      .describe(
        'Epsilon in the group-normalised advantage (r - mean) / (std + eps) (generator rows and solver.pg rows).',
      ),
  })
  .describe('How judged results become training datasets for the solver and the generator.');

export type DatasetOptions = z.infer<typeof datasetOptionsSchema>;
export type DatasetOptionsInput = z.input<typeof datasetOptionsSchema>;
