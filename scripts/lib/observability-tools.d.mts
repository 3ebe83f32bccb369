// Types of observability-tools.mjs for the TypeScript tests that call it.
export interface ToolRecord {
  path: string;
  version: string;
  /** Where it came from: system, apt, go-install, pypi, or the override variable's name. */
  source: string;
  /** Seconds the install took on this machine (0 when it was already there). */
  installSeconds: number;
  pinned?: string;
}
export const JAEGER_VERSION: string;
export const MLFLOW_VERSION: string;
export function installPrometheus(): ToolRecord;
export function installJaeger(): ToolRecord;
export function installMlflow(): ToolRecord;
export const INSTALLERS: Record<'prometheus' | 'jaeger' | 'mlflow', () => ToolRecord>;
