// One shard of an iteration: generate → sample → judge → score, each step one activity that writes an
// artifact and returns its ref, so the history holds refs and counts, never the rows.
import { setHandler } from '@temporalio/workflow';
import {
  type ShardInput,
  type ShardProgress,
  shardProgressQuery,
  type ShardResult,
  type StepRows,
} from '../contracts/shard';
import { roleActivities, storeActivities } from './activityOptions';

export async function shardWorkflow(input: ShardInput): Promise<ShardResult> {
  const rows: StepRows = {};
  const progress: ShardProgress = { step: 'generate', rows };
  setHandler(shardProgressQuery, () => progress);

  const acts = roleActivities(input.config);
  const questions = await acts.generate.generateQuestions(input);
  rows.questions = questions.ok + questions.failed;
  progress.step = 'sample';
  const answers = await acts.solve.sampleAnswers({ ...input, questions: questions.ref });
  rows.answers = answers.ok + answers.failed;
  progress.step = 'judge';
  const judgments = await acts.judge.judgeAnswers({ ...input, questions: questions.ref, answers: answers.ref });
  rows.judgments = judgments.ok + judgments.failed;
  progress.step = 'score';
  const reports = await storeActivities.scoreReliability({
    ...input,
    questions: questions.ref,
    answers: answers.ref,
    judgments: judgments.ref,
  });
  progress.step = 'done';
  return { shard: input.shard, questions, answers, judgments, reports };
}
