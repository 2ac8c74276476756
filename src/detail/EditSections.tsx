/** The run page's editable sections: the description (`mlflow.note.content`) and the user tags. */
import * as React from 'react';

import { IRunDetail } from '../api/types';
import { DescriptionEditor } from '../common/DescriptionEditor';
import { TagsEditor } from '../common/TagsEditor';
import { RunDetailModel } from '../models/detail';
import {
  DESCRIPTION_TAG,
  IEditSupport,
  isSystemTag,
  tagKeyProblem
} from '../models/edits';
import { Section } from './Section';
import { KeyValueTable } from '../common/KeyValueTable';

/** "run <name>" for messages. */
export function runLabel(detail: IRunDetail): string {
  return `run “${detail.info.run_name || detail.info.run_id.slice(0, 8)}”`;
}

/** The run's description as text, editable. */
export function DescriptionSection(props: {
  model: RunDetailModel;
  detail: IRunDetail;
  support: IEditSupport;
}): JSX.Element {
  const text = props.detail.system_tags[DESCRIPTION_TAG] || null;
  const { support } = props;
  return (
    <Section id="description" title="Description">
      <DescriptionEditor
        what={runLabel(props.detail)}
        text={text}
        blocked={support.write ?? (text ? support.changeDescription : null)}
        maxLength={support.permanentDelete ? 5000 : 8000}
        save={description => props.model.edit({ description })}
      />
    </Section>
  );
}

/** The run's tags: user tags editable, system tags (`mlflow.*`, `gitlab.*`) read-only. */
export function TagsSection(props: {
  model: RunDetailModel;
  detail: IRunDetail;
  support: IEditSupport;
}): JSX.Element {
  const { detail, model, support } = props;
  const system = Object.entries(detail.system_tags)
    .filter(([k]) => k !== DESCRIPTION_TAG && isSystemTag(k))
    .sort(([a], [b]) => a.localeCompare(b));
  const count = Object.keys(detail.tags).length;
  return (
    <Section id="tags" title="Tags" aside={count || undefined}>
      <TagsEditor
        what={runLabel(detail)}
        tags={detail.tags}
        addBlocked={support.write}
        changeBlocked={support.changeTags}
        keyProblem={key => tagKeyProblem(key, detail.tags)}
        setTag={(key, value) => model.edit({ tags: { set: { [key]: value } } })}
        removeTag={key => model.edit({ tags: { remove: [key] } })}
      />
      {system.length > 0 && (
        <details className="jp-mlops-SystemTags">
          <summary>
            System tags ({system.length}, set by{' '}
            {support.permanentDelete ? 'GitLab and MLflow' : 'MLflow'};
            read-only)
          </summary>
          <KeyValueTable rows={system} mono wrap />
        </details>
      )}
    </Section>
  );
}
