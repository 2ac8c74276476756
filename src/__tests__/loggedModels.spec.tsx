/** MLflow 3 logged models: the run page's section (hidden on GitLab) and the promote dialog's source choice. */
import * as React from 'react';

import type { ILoggedModel, ILoggedModelList } from '../api/types';
import { LoggedModelsSection } from '../detail/LoggedModelsSection';
import {
  initialSource,
  promoteSources,
  RUN_ARTIFACTS
} from '../models/promote';
import { SourceChoice } from '../promote/SourceChoice';
import { renderToStaticMarkup } from './render';

function model(id: string, name: string, flavors: string[]): ILoggedModel {
  return {
    model_id: id,
    name,
    experiment_id: '1',
    source_run_id: 'r1',
    status: 'LOGGED_MODEL_READY',
    model_type: null,
    creation_timestamp: 1,
    tags: {},
    params: { alpha: '0.5' },
    metrics: { rmse: { value: 0.125, step: 0, timestamp: 1 } },
    flavors,
    source: `models:/${id}`,
    artifacts: {
      files: [{ path: 'MLmodel', is_dir: false, file_size: 591 }],
      note: null
    }
  };
}

const NEW = model('m-new', 'clf', ['sklearn', 'python_function']);
const OLD = model('m-old', 'baseline', []);
const files = { open: async () => undefined, download: async () => undefined };
const actions = { promote: () => undefined };

function section(list: ILoggedModelList | undefined): string {
  return renderToStaticMarkup(
    <LoggedModelsSection list={list} files={files} actions={actions} />
  );
}

describe('promote sources', () => {
  it('offers each logged model, newest first, then the run artifacts', () => {
    const options = promoteSources([NEW, OLD]);
    expect(options.map(o => o.value)).toEqual([
      'm-new',
      'm-old',
      RUN_ARTIFACTS
    ]);
    expect(options[0].label).toBe('Logged model clf');
    expect(options[0].detail).toBe('sklearn, python_function · models:/m-new');
    expect(options[1].detail).toBe('unknown flavor · models:/m-old');
  });

  it('starts with the wanted source when offered, else the newest model, else none', () => {
    expect(initialSource([NEW, OLD], 'm-old')).toBe('m-old');
    expect(initialSource([NEW, OLD], RUN_ARTIFACTS)).toBe(RUN_ARTIFACTS);
    expect(initialSource([NEW, OLD], 'm-elsewhere')).toBe('m-new');
    expect(initialSource([NEW, OLD])).toBe('m-new');
    expect(initialSource([], 'm-new')).toBeUndefined();
  });

  it('renders the choice with the chosen option checked', () => {
    const html = renderToStaticMarkup(
      <SourceChoice
        models={[NEW]}
        value={RUN_ARTIFACTS}
        onChange={() => undefined}
      />
    );
    expect(html).toContain('checked="" value="artifacts"');
    expect(html).not.toContain('checked="" value="m-new"');
  });
});

describe('the logged models section', () => {
  it('is absent where the backend has no logged models (GitLab)', () => {
    expect(
      section({ supported: false, models: [], truncated: false, note: null })
    ).toBe('');
    expect(section(undefined)).toBe('');
  });

  it('lists name, flavors, params, metrics and files as text', () => {
    const html = section({
      supported: true,
      models: [NEW],
      truncated: false,
      note: null
    });
    for (const text of [
      'clf',
      'sklearn',
      'python_function',
      'alpha',
      '0.5',
      'rmse',
      '0.125',
      'MLmodel',
      'models:/m-new'
    ]) {
      expect(html).toContain(text);
    }
    expect(html).toContain('data-model-id="m-new"');
  });

  it('says why there is nothing: no model, or the backend failure', () => {
    expect(
      section({ supported: true, models: [], truncated: false, note: null })
    ).toContain('No models logged');
    expect(
      section({
        supported: true,
        models: [],
        truncated: false,
        note: 'Backend down'
      })
    ).toContain('Backend down');
  });

  it('renders a hostile name as text', () => {
    const html = section({
      supported: true,
      models: [model('m-x', '<img src=x onerror=alert(1)>', [])],
      truncated: false,
      note: null
    });
    expect(html).not.toContain('<img');
  });
});
