import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyDuplicatePenalty,
  buildGeneratorRows,
  buildQuestionPreferencePairs,
  buildReliabilityReport,
  buildSolverPreferencePairs,
  datasetOptionsSchema,
  defaultReliabilityConfig,
  findNearDuplicates,
  findNearDuplicatesPairwise,
  jaccard,
  normalizeText,
  openAiChatSftSchema,
  openAiPreferenceSchema,
  shingles,
  textSimilarity,
  toGeneratorSftRows,
  toJsonl,
  toOpenAiPreferenceRows,
  toTrlPreferenceRows,
  trlConversationalPreferenceSchema,
  trlConversationalPromptOnlySchema,
} from '../../../src/domain';
import type { GeneratorItem, GeneratorRow, SolverItem } from '../../../src/domain';
import { question, reportWith as report, scale10 } from './helpers';

const opts = datasetOptionsSchema.parse({});

const texts = [
  { answerId: 'a', text: 'The answer is 42.' },
  { answerId: 'b', text: 'It is 41.' },
  { answerId: 'c', text: '  The answer is 42.  ' }, // same trimmed text as a
  { answerId: 'd', text: 'No idea.' },
];

describe('solver preference pairs', () => {
  const item: SolverItem = {
    questionId: 'q1',
    question: 'What is 6 × 7?',
    systemPrompt: 'Answer briefly.',
    answers: texts,
    report: report({ meanScores: { a: 0.9, b: 0.85, c: 0.6, d: 0.1 } }),
  };

  it('picks by mean score with a minimum margin, disjoint pairs first, never equal texts, capped', () => {
    // candidates with margin ≥ 0.1 (a/c identical text → excluded):
    //   a>d 0.8, b>d 0.75, b>c 0.25, c>d 0.5 ; a>b is 0.05 < 0.1
    // by margin: a>d (0.8), b>d (0.75), c>d (0.5), b>c (0.25); disjoint-first: a>d, then b>c (b, c unused) → cap 2
    const pairs = buildSolverPreferencePairs([item], opts);
    expect(pairs.map((p) => [p.chosenId, p.rejectedId])).toEqual([
      ['a', 'd'],
      ['b', 'c'],
    ]);
    expect(pairs[0]!.margin).toBeCloseTo(0.8, 12);
    expect(pairs.every((p) => p.chosen.trim() !== p.rejected.trim())).toBe(true);
    expect(pairs[0]!.prompt).toEqual([
      { role: 'system', content: 'Answer briefly.' },
      { role: 'user', content: 'What is 6 × 7?' },
    ]);
    const more = buildSolverPreferencePairs([item], { ...opts, maxPairsPerQuestion: 10 });
    // uncapped: a>d, b>c, b>d — c>d is dropped because c's text equals a's, so it would repeat the a>d row
    expect(more.map((p) => [p.chosenId, p.rejectedId])).toEqual([
      ['a', 'd'],
      ['b', 'c'],
      ['b', 'd'],
    ]);
  });

  it('uses only questions that passed', () => {
    expect(buildSolverPreferencePairs([{ ...item, report: { ...item.report, passed: false } }], opts)).toEqual([]);
  });

  it('uses Bradley–Terry strengths when the report has them (auto), with the log-strength margin', () => {
    const withBt = {
      ...item,
      report: report({ meanScores: item.report.meanScores, strengths: { a: -1, b: 1, d: 0.8 } }),
    };
    // strengths: b > d by 0.2 (< 0.4), b > a by 2, d > a by 1.8 → disjoint first: b>a; then d>a
    const pairs = buildSolverPreferencePairs([withBt], opts);
    expect(pairs.map((p) => [p.chosenId, p.rejectedId])).toEqual([
      ['b', 'a'],
      ['d', 'a'],
    ]);
    const byScore = buildSolverPreferencePairs([withBt], { ...opts, basis: 'score' });
    expect(byScore[0]!.chosenId).toBe('a');
  });

  it('works end to end from a real report', () => {
    const q = question(
      { a: 'strong', b: 'strong', c: 'weak', d: 'weak' },
      { a: [10, 10], b: [9, 9], c: [2, 2], d: [1, 1] },
    );
    const r = buildReliabilityReport(q, scale10, defaultReliabilityConfig());
    expect(r.passed).toBe(true);
    const pairs = buildSolverPreferencePairs([{ questionId: 'q', question: 'Q?', report: r, answers: texts }], opts);
    expect(pairs.length).toBeGreaterThan(0);
  });

  it('exports rows that satisfy the published TRL and OpenAI DPO shapes', () => {
    const pairs = buildSolverPreferencePairs([item], opts);
    const trl = toTrlPreferenceRows(pairs);
    const oai = toOpenAiPreferenceRows(pairs);
    for (const row of trl) expect(trlConversationalPreferenceSchema.safeParse(row).success).toBe(true);
    for (const row of oai) expect(openAiPreferenceSchema.safeParse(row).error).toBeUndefined();
    expect(oai[0]).toEqual({
      input: {
        messages: [
          { role: 'system', content: 'Answer briefly.' },
          { role: 'user', content: 'What is 6 × 7?' },
        ],
      },
      preferred_output: [{ role: 'assistant', content: 'The answer is 42.' }],
      non_preferred_output: [{ role: 'assistant', content: 'No idea.' }],
    });
    // JSONL: one JSON object per line, round-trips
    const jsonl = toJsonl(oai);
    const lines = jsonl.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(oai);
    expect(toJsonl([])).toBe('');
  });

  describe('pairSelection: settled (only pairs whose order a one-sided credible interval settles, in id order)', () => {
    const pw = (firstId: string, secondId: string, verdict: 'first' | 'second' | 'tie', pass: number) => ({
      firstId,
      secondId,
      pass,
      verdict,
    });
    // Strength basis. a vs d judged 4 times, a won all: Jeffreys Beta(4.5, 0.5), mean 0.9, sd √(2.25/150) = 0.1225.
    // b vs d judged 4 times, b won 3: Beta(3.5, 1.5), mean 0.7, sd √(5.25/150) = 0.1871. No other pair was judged.
    const judged: SolverItem = {
      ...item,
      report: report({ strengths: { a: 0.8, b: 1, d: -1.8 } }),
      judgments: {
        pairwise: [
          pw('a', 'd', 'first', 0),
          pw('d', 'a', 'second', 0),
          pw('a', 'd', 'first', 1),
          pw('d', 'a', 'second', 1),
          pw('b', 'd', 'first', 0),
          pw('d', 'b', 'second', 0),
          pw('b', 'd', 'first', 1),
          pw('d', 'b', 'first', 1),
        ],
      },
    };
    const ids = (ps: ReturnType<typeof buildSolverPreferencePairs>) => ps.map((p) => [p.chosenId, p.rejectedId]);

    it('strength basis: a directly judged pair whose win share clears ½ at the credibility; id order, not margin', () => {
      // largest margins: b>d 2.8, a>d 2.6 (b>a 0.2 < 0.4)
      expect(ids(buildSolverPreferencePairs([judged], opts))).toEqual([
        ['b', 'd'],
        ['a', 'd'],
      ]);
      // 95 %: a>d 0.9 − 1.645·0.1225 = 0.699 > ½ settled; b>d 0.7 − 1.645·0.1871 = 0.392 not.
      const settled = { ...opts, pairSelection: 'settled' as const, pairCredibility: 0.95 };
      expect(ids(buildSolverPreferencePairs([judged], settled))).toEqual([['a', 'd']]);
      // The default 84 % (z = 0.9945): b>d 0.7 − 0.1861 = 0.514 > ½ settled too; in id order: a>d before b>d.
      expect(opts.pairCredibility).toBe(0.84);
      expect(ids(buildSolverPreferencePairs([judged], { ...settled, pairCredibility: 0.84 }))).toEqual([
        ['a', 'd'],
        ['b', 'd'],
      ]);
      // Without the raw judgments nothing is settled.
      expect(buildSolverPreferencePairs([{ ...judged, judgments: undefined }], settled)).toEqual([]);
    });

    it('score basis: the mean raw score difference with the variance pooled over the question', () => {
      // a [9, 9, 8] mean 8.667, ss 0.667; b [8, 2] mean 5, ss 18; d [2, 3, 2] mean 2.333, ss 0.667.
      // pooled v = 19.333 / (2 + 1 + 2) = 3.867. Normalised means (scale 1..10): a 0.852, b 0.444, d 0.148.
      const pt = (answerId: string, scores: number[]) => scores.map((score, pass) => ({ answerId, pass, score }));
      const scored: SolverItem = {
        ...item,
        report: report({ meanScores: { a: 7.667 / 9, b: 4 / 9, d: 1.333 / 9 } }),
        judgments: { pointwise: [...pt('a', [9, 9, 8]), ...pt('b', [8, 2]), ...pt('d', [2, 3, 2])] },
      };
      const byScore = { ...opts, basis: 'score' as const };
      // largest margins: a>d 0.70, then (a, d used) a>b 0.41, b>d 0.30 → a>d, a>b
      expect(ids(buildSolverPreferencePairs([scored], byScore))).toEqual([
        ['a', 'd'],
        ['a', 'b'],
      ]);
      // 95 %: a>d 6.333 − 1.645·√(2·3.867/3) = 3.69 > 0; a>b 3.667 − 1.645·√(3.867/3 + 3.867/2) = 0.71 > 0;
      // b>d 2.667 − 2.953 < 0 not settled. In id order: a>b, then a>d (it shares a: second round).
      const settled = { ...byScore, pairSelection: 'settled' as const, pairCredibility: 0.95 };
      expect(ids(buildSolverPreferencePairs([scored], settled))).toEqual([
        ['a', 'b'],
        ['a', 'd'],
      ]);
      // With one score per answer there is no within-answer variance: nothing is settled.
      const once = { ...scored, judgments: { pointwise: [...pt('a', [9]), ...pt('b', [5]), ...pt('d', [2])] } };
      expect(buildSolverPreferencePairs([once], settled)).toEqual([]);
    });
  });
});

describe('near-duplicate guard', () => {
  it('normalises text and computes shingle Jaccard by hand', () => {
    expect(normalizeText('  The CAT, sat...\n on   the mat! ')).toBe('the cat sat on the mat');
    // word 2-shingles: A {the cat, cat sat, sat on, on the, the mat}; B {the cat, cat sat, sat on, on a, a mat}
    // |A ∩ B| = 3, |A ∪ B| = 7 → 3/7
    expect(textSimilarity('The cat sat on the mat.', 'the cat sat on a mat', { shingleSize: 2 })).toBeCloseTo(
      3 / 7,
      12,
    );
    // char 3-shingles: "abcd" {abc, bcd} vs "abce" {abc, bce} → 1/3
    expect(jaccard(shingles('abcd', 3, 'char'), shingles('abce', 3, 'char'))).toBeCloseTo(1 / 3, 12);
    expect(shingles('hi', 3)).toEqual(new Set(['hi']));
    expect(jaccard(new Set(), new Set())).toBe(1);
  });

  it('marks later near-duplicates, pointing at the first occurrence', () => {
    const qs = [
      'What is the capital of France?',
      'Prove that the square root of two is irrational.',
      'what is the capital of france',
      'WHAT is the capital of France??',
    ];
    expect(findNearDuplicates(qs, { threshold: 0.7, shingleSize: 3 })).toEqual([null, null, 0, 0]);
    expect(applyDuplicatePenalty(0.8, true, 0.25)).toBeCloseTo(0.6, 12);
    expect(applyDuplicatePenalty(0.8, false, 1)).toBe(0.8);
  });

  it('the inverted-index search finds exactly what comparing every pair finds', () => {
    // Texts from a tiny vocabulary (and some empty ones), so that overlaps, ties and duplicates are common.
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', 'd', 'the', 'cat', '', '?'), { maxLength: 8 })
      .map((ws) => ws.join(' '));
    fc.assert(
      fc.property(
        fc.array(text, { maxLength: 30 }),
        fc.constantFrom(0, 0.2, 0.5, 0.7, 1, 1.5),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('word' as const, 'char' as const),
        (texts, threshold, shingleSize, unit) => {
          const opts = { threshold, shingleSize, unit };
          expect(findNearDuplicates(texts, opts)).toEqual(findNearDuplicatesPairwise(texts, opts));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('generator rows', () => {
  const prompt = [{ role: 'user' as const, content: 'Write a question that can be judged reliably.' }];
  const items: GeneratorItem[] = [
    { questionId: 'g1', groupId: 'A', prompt, question: 'Sort these numbers: 3 1 2.', reward: 0.2 },
    { questionId: 'g2', groupId: 'A', prompt, question: 'Name a prime larger than 100.', reward: 0.4 },
    { questionId: 'g3', groupId: 'A', prompt, question: 'Explain why the sky is blue in two sentences.', reward: 0.9 },
    { questionId: 'g4', groupId: 'B', prompt, question: 'sort these numbers 3 1 2', reward: 0.95 }, // near-dup of g1
    { questionId: 'g5', groupId: 'B', prompt, question: 'Translate "cat" to French.', reward: null },
    { questionId: 'g6', groupId: 'C', prompt, question: 'What is 2 + 2?', reward: 0.5 },
  ];

  it('applies the duplicate penalty to later copies and group-normalises advantages', () => {
    const rows = buildGeneratorRows(items, opts);
    // Group A rewards 0.2, 0.4, 0.9: mean 0.5, Var_pop = (0.09 + 0.01 + 0.16)/3 = 0.26/3, std = 0.2943920
    const std = Math.sqrt(0.26 / 3);
    expect(rows[0]!.advantage).toBeCloseTo(-0.3 / (std + 1e-6), 9);
    expect(rows[2]!.advantage).toBeCloseTo(0.4 / (std + 1e-6), 9);
    // Group B: g4 is a near-duplicate of g1 (penalty 1 → 0); g5 null → 0; both 0 → std 0 → advantages 0
    expect(rows[3]).toMatchObject({ duplicateOf: 'g1', rawReward: 0.95, reward: 0, advantage: 0 });
    expect(rows[4]).toMatchObject({ rawReward: null, reward: 0, advantage: 0 });
    // Group C: a group of one → advantage 0
    expect(rows[5]!.advantage).toBe(0);
    for (const r of rows) expect(trlConversationalPromptOnlySchema.safeParse(r).success).toBe(true);
  });

  it('DPO over questions: higher reward preferred within a group, min margin, never own duplicate', () => {
    const rows = buildGeneratorRows(items, opts);
    const pairs = buildQuestionPreferencePairs(rows, { ...opts, maxPairsPerGroup: 2 });
    // Group A by gap: g3>g1 (0.7), g3>g2 (0.5), g2>g1 (0.2) → first two; group B: g4 and g5 both 0 → none
    expect(pairs.map((p) => [p.chosenId, p.rejectedId])).toEqual([
      ['g3', 'g1'],
      ['g3', 'g2'],
    ]);
    for (const row of toTrlPreferenceRows(pairs))
      expect(trlConversationalPreferenceSchema.safeParse(row).success).toBe(true);
    for (const row of toOpenAiPreferenceRows(pairs)) expect(openAiPreferenceSchema.safeParse(row).success).toBe(true);
    // a pair (original, its duplicate) is never formed even when the gap is large
    const dupRows = buildGeneratorRows(
      [
        { questionId: 'x', groupId: 'G', prompt, question: 'What is the capital of France?', reward: 0.9 },
        { questionId: 'y', groupId: 'G', prompt, question: 'what is the capital of france', reward: 0.9 },
      ],
      opts,
    );
    expect(buildQuestionPreferencePairs(dupRows, opts)).toEqual([]);
  });

  it('keeps exactly the pairs that collecting every candidate and sorting them would keep', () => {
    // The definition: every ordered pair that qualifies, sorted by margin then ids, the first K per group.
    const reference = (rows: GeneratorRow[], o: typeof opts) => {
      const groups = [...new Set(rows.map((r) => r.groupId))];
      return groups.flatMap((g) => {
        const group = rows.filter((r) => r.groupId === g);
        const cands = group.flatMap((c) =>
          group
            .filter(
              (r) =>
                r !== c &&
                c.question.trim() !== r.question.trim() &&
                c.duplicateOf !== r.questionId &&
                r.duplicateOf !== c.questionId &&
                c.reward - r.reward > 0 &&
                c.reward - r.reward >= o.minMargin,
            )
            .map((r) => ({ c, r, margin: c.reward - r.reward })),
        );
        cands.sort(
          (x, y) =>
            y.margin - x.margin ||
            x.c.questionId.localeCompare(y.c.questionId) ||
            x.r.questionId.localeCompare(y.r.questionId),
        );
        return cands.slice(0, o.maxPairsPerGroup).map((p) => [g, p.c.questionId, p.r.questionId, p.margin]);
      });
    };
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            groupId: fc.constantFrom('A', 'B'),
            question: fc.constantFrom('q one', 'q two', 'q three', 'q one ', 'four'),
            reward: fc.constantFrom(0, 0.1, 0.25, 0.5, 0.5, 0.9, 1, null),
          }),
          { maxLength: 25 },
        ),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(0, 0.1, 0.4),
        (items, maxPairsPerGroup, minMargin) => {
          const o = { ...opts, maxPairsPerGroup, minMargin };
          const rows = buildGeneratorRows(
            // Ids out of row order (37 is coprime with 101), so that ties on the margin are broken by id, not by position.
            items.map((it, i) => ({ ...it, questionId: `q${String((i * 37) % 101).padStart(3, '0')}`, prompt })),
            o,
          );
          const got = buildQuestionPreferencePairs(rows, o).map((p) => [
            p.sourceId,
            p.chosenId,
            p.rejectedId,
            p.margin,
          ]);
          expect(got).toEqual(reference(rows, o));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reward-filtered SFT rows in OpenAI chat format', () => {
    const rows = buildGeneratorRows(items, opts);
    const sft = toGeneratorSftRows(rows, opts); // sftMinReward 0.5 → g3 (0.9), g6 (0.5)
    expect(sft).toEqual([
      { messages: [...prompt, { role: 'assistant', content: 'Explain why the sky is blue in two sentences.' }] },
      { messages: [...prompt, { role: 'assistant', content: 'What is 2 + 2?' }] },
    ]);
    for (const row of sft) expect(openAiChatSftSchema.safeParse(row).success).toBe(true);
  });

  it('published-shape schemas reject malformed rows (they are real checks)', () => {
    expect(
      openAiPreferenceSchema.safeParse({ input: { messages: [] }, preferred_output: [], non_preferred_output: [] })
        .success,
    ).toBe(false);
    expect(
      openAiPreferenceSchema.safeParse({
        input: { messages: [{ role: 'user', content: 'x' }] },
        preferred_output: [{ role: 'user', content: 'a' }],
        non_preferred_output: [{ role: 'assistant', content: 'b' }],
      }).success,
    ).toBe(false);
    expect(trlConversationalPreferenceSchema.safeParse({ prompt: 'x', chosen: 'a', rejected: 'b' }).success).toBe(
      false,
    );
    expect(openAiChatSftSchema.safeParse({ messages: [{ role: 'user', content: 'x' }] }).success).toBe(false);
  });
});

describe('datasetOptionsSchema', () => {
  it('has defaults and bounds', () => {
    expect(opts).toMatchObject({
      minMargin: 0.1,
      maxPairsPerQuestion: 2,
      sftMinReward: 0.5,
      dedup: { threshold: 0.7, shingleSize: 3, penalty: 1 },
    });
    expect(datasetOptionsSchema.safeParse({ dedup: { threshold: 2 } }).success).toBe(false);
    expect(datasetOptionsSchema.safeParse({ maxPairsPerQuestion: 0 }).success).toBe(false);
  });
});
