// Judge-audit anchors: a JSONL file of questions with a known better and worse answer. Every problem is
// reported with the file and line it is on.
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './errors';

export const anchorSchema = z
  .object({
    id: z.string().min(1).optional(),
    question: z.string().min(1),
    better: z.string().min(1),
    worse: z.string().min(1),
  })
  .strict()
  .refine((a) => a.better.trim() !== a.worse.trim(), { message: 'better and worse must differ' });

export type Anchor = z.infer<typeof anchorSchema> & { id: string };

export function parseAnchors(text: string, file: string): Anchor[] {
  const anchors: Anchor[] = [];
  const problems: ConfigProblem[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      problems.push({ path: '(json)', message: (err as Error).message, line: i + 1 });
      return;
    }
    const r = anchorSchema.safeParse(raw);
    if (!r.success) {
      for (const issue of r.error.issues) {
        problems.push({ path: issue.path.join('.') || '(row)', message: issue.message, line: i + 1 });
      }
      return;
    }
    anchors.push({ ...r.data, id: r.data.id ?? `anchor-${i + 1}` });
  });
  if (anchors.length === 0 && problems.length === 0) problems.push({ path: '(file)', message: 'no anchors in file' });
  if (problems.length > 0) throw new ConfigError(file, problems);
  return anchors;
}
