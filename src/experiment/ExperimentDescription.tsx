/**
 * The experiment's description under its page's title: text (never HTML),
 * edited as a run's is, where the backend allows (GitLab: set once).
 */
import * as React from 'react';

import { editExperiment } from '../api/edits';
import { DescriptionEditor } from '../common/DescriptionEditor';
import { IEditSupport } from '../models/edits';
import { IExperimentTarget, listOf } from './ExperimentActions';

export function ExperimentDescription(props: {
  target: IExperimentTarget;
  support: IEditSupport;
}): JSX.Element | null {
  const { target, support } = props;
  const { experiment } = target;
  const [saved, setSaved] = React.useState<string | null | undefined>();
  const list = listOf(target);
  const row = list?.experiments.find(
    e => e.experiment_id === experiment.experiment_id
  );
  if (!row && saved === undefined) {
    return null; // not in the sidebar's list: its description is not known here
  }
  const text = row ? row.description : (saved ?? null);
  const save = async (description: string): Promise<void> => {
    const edited = list
      ? await list.edit(experiment.experiment_id, { description })
      : await editExperiment(
          experiment.backend,
          experiment.experiment_id,
          { description },
          target.mlops.serverSettings
        );
    setSaved(edited.description);
  };
  return (
    <div className="jp-mlops-ExperimentPage-description">
      <DescriptionEditor
        what={`experiment “${experiment.name}”`}
        text={text}
        blocked={support.write ?? (text ? support.changeDescription : null)}
        maxLength={support.permanentDelete ? 5000 : 8000}
        save={save}
      />
    </div>
  );
}
