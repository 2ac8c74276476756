/** Loading state and live statuses shared by the models. */
/** Loading state of a list or a document. */
export type LoadPhase = 'idle' | 'loading' | 'ready' | 'error';

/** Run statuses that can still change: poll while a run has one of them. */
export const LIVE_STATUSES: ReadonlySet<string> = new Set([
  'RUNNING',
  'SCHEDULED'
]);
