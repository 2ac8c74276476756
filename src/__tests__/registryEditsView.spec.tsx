import * as React from 'react';

import { IModelPage } from '../api/registry';
import { RegistryModel } from '../models/registry';
import { DescriptionEditor } from '../common/DescriptionEditor';
import { TagsEditor } from '../common/TagsEditor';
import { DeleteVersionButton, ModelActions } from '../registry/EditActions';
import {
  GITLAB_NO_RENAME,
  GITLAB_NO_TAGS,
  GITLAB_NO_VERSION_DELETE,
  tagKeyProblem
} from '../registry/editRules';
import { renderToStaticMarkup } from './render';

function unescape(html: string): string {
  return html
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The opening tag of the button whose text or label holds `text`. */
function buttonWith(html: string, text: string): string {
  const at = html.indexOf(text);
  expect(at).toBeGreaterThan(-1);
  const start = html.lastIndexOf('<button', at);
  return unescape(html.slice(start, html.indexOf('>', start)));
}

const PAGE = {
  backend: 'gl',
  backend_kind: 'gitlab',
  name: 'churn',
  description: null,
  versions: [],
  aliases: [],
  tags: {}
} as unknown as IModelPage;

const VERSION_URL = 'https://gitlab.example.com/g/p/-/ml/models/1/versions/5';

function render(kind: 'gitlab' | 'mlflow', registry: RegistryModel): string {
  return unescape(
    renderToStaticMarkup(
      <div>
        <ModelActions
          page={{ ...PAGE, backend_kind: kind }}
          registry={registry}
          actions={{
            navigate: () => undefined,
            openCandidate: null,
            insertInNotebook: () => '',
            openArtifact: () => Promise.resolve()
          }}
        />
        <DeleteVersionButton
          backend="gl"
          backendKind={kind}
          model="churn"
          version="5"
          label="1.0.0"
          aliases={[]}
          webUrl={VERSION_URL}
          registry={registry}
          text
        />
        <TagsEditor
          what="model churn"
          tags={{ team: 'ml' }}
          setTag={() => Promise.resolve()}
          removeTag={() => Promise.resolve()}
          addBlocked={kind === 'gitlab' ? GITLAB_NO_TAGS : null}
          changeBlocked={kind === 'gitlab' ? GITLAB_NO_TAGS : null}
          keyProblem={tagKeyProblem}
        />
      </div>
    )
  );
}

describe('registry editing views', () => {
  it('on GitLab: rename, tags and version delete off with the reason, the version page linked', () => {
    const registry = new RegistryModel();
    const html = render('gitlab', registry);
    expect(buttonWith(html, 'Rename…')).toContain('disabled');
    expect(buttonWith(html, 'Rename…')).toContain(GITLAB_NO_RENAME);
    expect(buttonWith(html, 'Delete version…')).toContain('disabled');
    expect(buttonWith(html, 'Delete version…')).toContain(
      GITLAB_NO_VERSION_DELETE
    );
    expect(html).toContain(`href="${VERSION_URL}"`);
    expect(html).toContain('delete it on GitLab');
    expect(buttonWith(html, '+ Add tag')).toContain('disabled');
    expect(buttonWith(html, '+ Add tag')).toContain(GITLAB_NO_TAGS);
    expect(buttonWith(html, 'Delete model…')).not.toContain('disabled');
    registry.dispose();
  });

  it('on MLflow: everything is offered', () => {
    const registry = new RegistryModel();
    const html = render('mlflow', registry);
    for (const label of ['Rename…', 'Delete version…', 'Delete model…']) {
      expect(buttonWith(html, label)).not.toContain('disabled');
    }
    expect(buttonWith(html, '+ Add tag')).not.toContain('disabled');
    expect(html).not.toContain('delete it on GitLab');
    registry.dispose();
  });

  it('shows a description as text, never as HTML', () => {
    const html = renderToStaticMarkup(
      <DescriptionEditor
        what="model churn"
        text={'<img src=x onerror="alert(1)">\nline two'}
        save={() => Promise.resolve()}
        blocked="read_api token"
      />
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img');
    expect(html).not.toContain('<button'); // read-only: no live Edit button
  });
});
