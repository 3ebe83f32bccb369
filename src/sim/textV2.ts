// World v2 surface text. A question is lead × ask × closer (one template) with one numeric slot; two questions of
// the same template differ only in that slot and the marker's instance, so rloop's near-duplicate guard (word
// 3-shingles, Jaccard ≥ 0.7) catches them, while templates that share a lead or a closer stay below it.
import { TEMPLATE_ASKS, TEMPLATE_CLOSERS, TEMPLATE_LEADS } from './worldV2';

interface TypeText {
  leads: [string, string, string];
  /** `#` is the numeric slot. */
  asks: [string, string, string, string];
}

const TEXT: Record<string, TypeText> = {
  arithmetic: {
    leads: [
      'A shopkeeper is counting the coins left in the till at the end of a long market day.',
      'During a school sports day the teachers keep a running tally of points on a whiteboard.',
      'A baker writes down how many loaves leave the oven on each tray this morning.',
    ],
    asks: [
      'If # more are added to the total, what is the new total written down?',
      'What do you get when you multiply # by seven and then subtract three?',
      'How many are left after # are taken away from one hundred and twenty?',
      'What is the sum of # and the number of days in a week?',
    ],
  },
  fact_recall: {
    leads: [
      'The museum audio guide quizzes visitors on history at the end of the tour.',
      'A geography teacher prepares flash cards for the weekly class quiz on capitals.',
      'The chemistry handbook lists the elements together with their common uses in industry.',
    ],
    asks: [
      'Which event is recorded as entry # in the official almanac of that year?',
      'Name the capital city of the country listed at position # in the atlas index.',
      'Which element has the atomic number # and where is it found in nature?',
      'Who wrote the book catalogued under shelf mark # in the national library?',
    ],
  },
  algebra: {
    leads: [
      'A student practises solving equations before the end of term mathematics examination.',
      'An engineer models the load on a beam with a small system of linear relations.',
      'A puzzle column in the weekend newspaper hides a number behind an equation.',
    ],
    asks: [
      'Solve for x in the equation 3x plus # equals one hundred and one.',
      'Find every real root of x squared minus # x plus twenty one equals zero.',
      'Simplify the expression # a plus four b minus the quantity two a minus b.',
      'For which values of y is the inequality # minus two y greater than y?',
    ],
  },
  code_output: {
    leads: [
      'A code reviewer reads a short Python snippet without running it on a computer.',
      'During a technical interview the candidate must trace a small program by hand.',
      'A teaching assistant checks whether students understand how list slicing works in Python.',
    ],
    asks: [
      'What does print of the sum of range # with a step of three output?',
      'What value does the recursive Fibonacci function return when it is called with #?',
      'What is printed when the loop appends i squared for i below # and prints the list?',
      'What does the string slicing expression return for a word of # letters reversed?',
    ],
  },
  logic_puzzle: {
    leads: [
      'On an island every inhabitant is either a knight who always tells the truth or a knave who always lies.',
      'Five friends sit in a row of seats at the cinema under a list of seating constraints.',
      'Three boxes of fruit are all labelled wrongly and you may draw fruit to find out which is which.',
    ],
    asks: [
      'With # people making statements about each other, who must be lying?',
      'Given # of the constraints below, who sits in the middle seat of the row?',
      'What is the smallest number of draws needed when there are # boxes in total?',
      'If # statements are true, which arrangement is the only consistent one?',
    ],
  },
  summarization: {
    leads: [
      'The quarterly report below describes sales, hiring and the plans of the company for next year.',
      'The meeting notes below record a long discussion between the project team and their client.',
      'The news article below covers a council vote on a new cycling lane through the town centre.',
    ],
    asks: [
      'Summarize the # paragraphs in exactly two sentences for a busy manager.',
      'Give a one line summary of the key decision taken at item # of the agenda.',
      'Condense the text into # bullet points that a newcomer would understand.',
      'Write an abstract of at most # words that keeps every number that matters.',
    ],
  },
  proof_sketch: {
    leads: [
      'A number theory course asks students to justify their claims with a short written argument.',
      'In a graph theory seminar each participant presents a proof on the blackboard.',
      'An induction exercise from the first year analysis course is set as homework.',
    ],
    asks: [
      'Sketch a proof that there are infinitely many primes congruent to # modulo four.',
      'Prove that every tree with # vertices has exactly one edge fewer than vertices.',
      'Show that the sum of the first n odd numbers is n squared starting from n equal to #.',
      'Prove that the square root of # is irrational unless it is a perfect square.',
    ],
  },
  creative_writing: {
    leads: [
      'A small literary magazine is collecting short pieces for its next seasonal issue.',
      'A local bakery wants fresh words for the chalkboard outside its front door.',
      'A writing workshop gives each participant a prompt to develop during the evening.',
    ],
    asks: [
      'Write a poem of # lines about the sea at dawn seen from the harbour wall.',
      'Write the opening of a story about a lighthouse keeper in at most # words.',
      'Invent a slogan for a shop that has been open for # years in the same street.',
      'Describe a rainy afternoon in a city park in # sentences using all five senses.',
    ],
  },
};

const CLOSERS: readonly string[] = [
  'Show your reasoning step by step before giving the final answer.',
  'Keep the final answer short and mark it clearly at the end.',
  'State any assumption you make and explain why it is reasonable.',
];

/** The text of template `template` of `type` with slot value `slot` (no marker). */
export function questionTextV2(type: string, template: number, slot: number): string {
  const text = TEXT[type] ?? TEXT.arithmetic;
  if (!text) throw new Error('no v2 question text');
  const closer = template % TEMPLATE_CLOSERS;
  const ask = Math.floor(template / TEMPLATE_CLOSERS) % TEMPLATE_ASKS;
  const lead = Math.floor(template / (TEMPLATE_CLOSERS * TEMPLATE_ASKS)) % TEMPLATE_LEADS;
  return `${text.leads[lead]} ${text.asks[ask]?.replace('#', String(slot))} ${CLOSERS[closer]}`;
}

const PADDING: readonly string[] = [
  'To be thorough, every intermediate step is restated and double-checked.',
  'For completeness, the background and the relevant definitions are recalled first.',
  'Several alternative readings of the question are considered and compared at length.',
  'The argument is then summarised again in different words to make it fully clear.',
];

/** Answer text whose length grows with its style (verbosity), the feature a biased judge rewards. */
export function answerTextV2(type: string, quality: number, style: number, sample: string, draft: number): string {
  const verdict =
    quality > 0.7 ? 'resolves cleanly and the result is verified' : quality > 0.4 ? 'mostly works out' : 'skips steps';
  const pad = PADDING.slice(0, Math.round(style * PADDING.length)).join(' ');
  return `The ${type.replace('_', ' ')} task ${verdict}.${pad ? ` ${pad}` : ''} (sample ${sample}, draft ${draft})`;
}
