/**
 * What a promotion registers on MLflow: one of the run's MLflow 3 logged
 * models (`models:/m-<id>`), or the run's own artifacts (its `MLmodel`
 * folder, else all its files). GitLab registers the candidate itself.
 */
import { ILoggedModel } from '../api/types';

/** The choice sent as `source`: a logged model's id, or this for the run's files. */
export const RUN_ARTIFACTS = 'artifacts';

/** One option of the choice. */
export interface IPromoteSource {
  /** `m-<id>` or {@link RUN_ARTIFACTS}. */
  value: string;
  label: string;
  detail: string;
}

/** The options for a run's logged models (newest first), then the run's files. */
export function promoteSources(models: ILoggedModel[]): IPromoteSource[] {
  return [
    ...models.map(m => ({
      value: m.model_id,
      label: `Logged model ${m.name || m.model_id}`,
      detail: [m.flavors.join(', ') || 'unknown flavor', m.source].join(' · ')
    })),
    {
      value: RUN_ARTIFACTS,
      label: "The run's artifacts",
      detail: 'Its MLmodel folder, else all its files'
    }
  ];
}

/**
 * The source a promotion starts with: `wanted` when it is one of the options,
 * else the newest logged model (what the server picks by default), else none.
 */
export function initialSource(
  models: ILoggedModel[],
  wanted?: string
): string | undefined {
  if (!models.length) {
    return undefined;
  }
  if (wanted && promoteSources(models).some(s => s.value === wanted)) {
    return wanted;
  }
  return models[0].model_id;
}
