/**
 * "Create model": a dialog with the backend (when there are several), the
 * name (checked as it is typed: GitLab's rule on every backend, C13, and not
 * taken) and a description; the new model's page opens.
 */
import { HTMLSelect } from '@jupyterlab/ui-components';
import * as React from 'react';

import { IModelPage } from '../api/registry';
import { notifyError, toast } from '../common/notify';
import { RegistryModel } from '../models/registry';
import { DescriptionField, Field, showForm, TextField } from './dialogs';
import { descriptionProblem, newModelNameProblem } from './editRules';

/** Under the name field while it is fine. */
const NAME_HINT =
  'ASCII letters, digits, "_", "-", "." and "/" between parts; at most 255 characters. Names work on MLflow and GitLab alike.';

/** What the dialog collects. */
export interface INewModel {
  backend: string;
  name: string;
  description: string;
}

/** Backends that may be written to (the default first), from the status. */
function writableBackends(registry: RegistryModel): string[] {
  const status = registry.status.value;
  const names = (status?.backends ?? [])
    .filter(b => !registry.writeBlocked(b.name))
    .map(b => b.name);
  const first = status?.default_backend;
  if (first && names.includes(first)) {
    return [first, ...names.filter(n => n !== first)];
  }
  return names.length ? names : [first ?? 'default'];
}

/** The problem of a draft, or null. */
function draftProblem(
  registry: RegistryModel,
  draft: INewModel
): string | null {
  const taken = (name: string) =>
    !!registry.list.value?.models.some(
      m => m.backend === draft.backend && m.name === name
    );
  return (
    newModelNameProblem(draft.name.trim(), taken) ??
    descriptionProblem(draft.description)
  );
}

/** Ask for a new model and create it; its page, or null when cancelled. */
export async function createModelWithDialog(
  registry: RegistryModel
): Promise<IModelPage | null> {
  if (registry.status.phase === 'idle') {
    await registry.status.load();
  }
  if (registry.list.phase === 'idle') {
    void registry.list.load(); // for the "exists already" check
  }
  const backends = writableBackends(registry);
  let draft: INewModel | null = {
    backend: backends[0],
    name: '',
    description: ''
  };
  for (;;) {
    draft = await showForm<INewModel>({
      title: 'Create model',
      value: draft,
      accept: 'Create model',
      focus: 'input',
      problem: d => draftProblem(registry, d),
      render: (d, set) => {
        const name = d.name.trim();
        return (
          <div className="jp-mlops-CreateModel" data-testid="create-model-form">
            {backends.length > 1 && (
              <Field
                label="Backend"
                hint="Where the model is registered."
                problem={null}
              >
                <HTMLSelect
                  aria-label="Backend"
                  value={d.backend}
                  options={backends}
                  onChange={e => set({ ...d, backend: e.currentTarget.value })}
                />
              </Field>
            )}
            <TextField
              label="Name"
              value={d.name}
              placeholder="e.g. churn-classifier"
              onChange={v => set({ ...d, name: v })}
              problem={
                name ? draftProblem(registry, { ...d, description: '' }) : null
              }
              hint={NAME_HINT}
            />
            <DescriptionField
              value={d.description}
              onChange={v => set({ ...d, description: v })}
              problem={descriptionProblem(d.description)}
            />
          </div>
        );
      }
    });
    if (!draft) {
      return null;
    }
    try {
      const page = await registry.createModel({
        backend: draft.backend,
        name: draft.name.trim(),
        description: draft.description
      });
      toast.success(`Created model ${page.name} on ${page.backend}.`, {
        autoClose: 5000
      });
      return page;
    } catch (error) {
      notifyError(`Creating model ${draft.name.trim()} failed`, error);
      // the form opens again with what was typed: nothing is lost
    }
  }
}
