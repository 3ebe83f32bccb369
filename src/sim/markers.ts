// The latent state rides in text as markers, so it survives any prompt template that keeps
// `[`, `]`, `:`, `=`, `#` and `.` intact:
//   question: ... [sim:task=<type>#<instance>]
//   answer:   ... [sim:answer task=<type>#<instance> quality=<0.000>]
//   world v2: ... [sim:answer task=<type>#<instance> style=<0.000> quality=<0.000>]

export interface TaskMarker {
  type: string;
  instance: number;
}

export interface AnswerMarker extends TaskMarker {
  quality: number;
  /** World v2: the answer's style (verbosity) in [0, 1], a feature some judges reward whatever the quality. */
  style?: number;
}

const TASK_RE = /\[sim:task=([A-Za-z0-9_-]+)#(\d+)\]/g;
const ANSWER_RE = /\[sim:answer task=([A-Za-z0-9_-]+)#(\d+)(?: style=(\d+(?:\.\d+)?))? quality=(\d+(?:\.\d+)?)\]/g;

export function taskMarker(type: string, instance: number): string {
  return `[sim:task=${type}#${instance}]`;
}

export function answerMarker(type: string, instance: number, quality: number, style?: number): string {
  const st = style === undefined ? '' : ` style=${style.toFixed(3)}`;
  return `[sim:answer task=${type}#${instance}${st} quality=${quality.toFixed(3)}]`;
}

export function findTaskMarkers(text: string): TaskMarker[] {
  return [...text.matchAll(TASK_RE)].map((m) => ({ type: m[1] ?? '', instance: Number(m[2]) }));
}

export function findAnswerMarkers(text: string): AnswerMarker[] {
  return [...text.matchAll(ANSWER_RE)].map((m) => ({
    type: m[1] ?? '',
    instance: Number(m[2]),
    quality: Math.min(1, Math.max(0, Number(m[4]))),
    ...(m[3] === undefined ? {} : { style: Math.min(1, Math.max(0, Number(m[3]))) }),
  }));
}

export const firstTaskMarker = (text: string): TaskMarker | undefined => findTaskMarkers(text)[0];
