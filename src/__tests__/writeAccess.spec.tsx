/**
 * Write actions of a read-only backend (GitLab `read_api`, a role below
 * Developer) stay visible but disabled, with the server's reason as their
 * tooltip (`capabilities.write` / `capabilities.reason` of `GET status`).
 */
import { Signal } from '@lumino/signaling';
import * as React from 'react';

import { renderToStaticMarkup } from './render';

import { ICompareRun } from '../api/compare';
import { IBackendStatus, IStatus } from '../api/types';
import { RunChips } from '../compare/RunChips';
import {
  READ_ONLY_FALLBACK,
  writeBlockedBy,
  writeBlockedReason,
  writeTitle
} from '../models/capabilities';
import { RegistryModel } from '../models/registry';
import { RunsModel } from '../models/runs';
import { LinkedItems } from '../registry/LinkedItems';
import { VersionArtifacts } from '../registry/VersionArtifacts';
import { CandidatesView } from '../experiment/CandidatesView';

const REASON =
  "The token of backend 'gitlab' can only read (a read_api token, or a role below Developer): GitLab takes writes only with the 'api' scope.";

function backend(
  name: string,
  capabilities: Record<string, unknown>
): IBackendStatus {
  return {
    name,
    kind: 'gitlab',
    url: 'https://gitlab.example/api/v4/projects/1/ml/mlflow',
    embedded: false,
    health: 'healthy',
    message: 'connected',
    capabilities: capabilities as any
  };
}

function status(...backends: IBackendStatus[]): IStatus {
  return {
    version: '0.1.0',
    default_backend: backends[0].name,
    backends,
    spool: { depth: 0 }
  };
}

/** The attributes of the first element with `className`. */
function attributesOf(html: string, className: string): string {
  const at = html.indexOf(className);
  expect(at).toBeGreaterThan(-1);
  const start = html.lastIndexOf('<', at);
  return html.slice(start, html.indexOf('>', at));
}

function unescape(text: string): string {
  return text
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

describe('write access from the status', () => {
  it('gives the reason only when writing is off', () => {
    expect(writeBlockedReason(backend('a', { write: true }))).toBeNull();
    expect(writeBlockedReason(backend('a', {}))).toBeNull(); // older servers
    expect(writeBlockedReason(null)).toBeNull();
    expect(
      writeBlockedReason(backend('a', { write: false, reason: REASON }))
    ).toBe(REASON);
    expect(writeBlockedReason(backend('a', { write: false }))).toBe(
      READ_ONLY_FALLBACK
    );
  });

  it('looks the reason up by backend name', () => {
    const blocked = writeBlockedBy(
      status(
        backend('gitlab', { write: false, reason: REASON }),
        backend('default', { write: true })
      )
    );
    expect(blocked('gitlab')).toBe(REASON);
    expect(blocked('default')).toBeNull();
    expect(blocked('unknown')).toBeNull();
    expect(writeTitle(REASON, 'Promote')).toContain(REASON);
    expect(writeTitle(null, 'Promote')).toBe('Promote');
  });
});

describe('disabled write buttons', () => {
  const runs: ICompareRun[] = ['gitlab', 'default'].map((b, i) => ({
    backend: b,
    run_id: `r${i}`,
    run_name: `run-${i}`,
    experiment_id: '1',
    status: 'FINISHED',
    start_time: 0,
    end_time: 1,
    user_id: null,
    label: `run-${i}`
  })) as any;

  it('compare: Promote of a read-only backend is disabled with the reason', () => {
    const blocked = writeBlockedBy(
      status(
        backend('gitlab', { write: false, reason: REASON }),
        backend('default', { write: true })
      )
    );
    const html = renderToStaticMarkup(
      <RunChips
        runs={runs}
        minRuns={2}
        onRemove={() => undefined}
        onPromote={() => undefined}
        writeBlocked={blocked}
      />
    );
    const [first, second] = html
      .split('jp-mlops-RunChip-promote')
      .slice(1)
      .map(part => part.slice(0, part.indexOf('>')));
    expect(first).toContain('disabled');
    expect(unescape(first)).toContain(REASON);
    expect(second).not.toContain('disabled');
    expect(unescape(second)).toContain('Promote run-1 to a model version');
  });

  it('experiment page: Promote is disabled with the reason as its tooltip', () => {
    const model = new RunsModel({
      backend: 'gitlab',
      experimentId: '7',
      experimentName: 'demo',
      pageSize: 3
    } as any);
    const commands = {
      hasCommand: () => true,
      commandChanged: new Signal<any, any>({}),
      execute: () => Promise.resolve()
    } as any;
    const render = (writeBlocked: string | null) =>
      renderToStaticMarkup(
        <CandidatesView
          model={model}
          commands={commands}
          countText=""
          onOpenRun={() => undefined}
          writeBlocked={writeBlocked}
        />
      );
    const off = unescape(
      attributesOf(render(REASON), 'jp-mlops-PromoteButton')
    );
    expect(off).toContain('disabled');
    expect(off).toContain(`Not available: ${REASON}`);
    const on = unescape(attributesOf(render(null), 'jp-mlops-PromoteButton'));
    expect(on).toContain('Promote the selected run to a model version');
    expect(on).not.toContain('Not available');
    model.dispose();
  });

  it('registry: upload and links of a read-only backend are disabled with the reason', () => {
    const registry = new RegistryModel();
    const render = (writeBlocked: string | null) =>
      renderToStaticMarkup(
        <div>
          <VersionArtifacts
            backend="gitlab"
            model="m"
            version="1"
            files={[]}
            error={null}
            upload={{
              max_bytes: 1024,
              flat_names: true,
              name_rule: 'letters',
              name_pattern: null
            }}
            open={() => Promise.resolve()}
            registry={registry}
            writeBlocked={writeBlocked}
          />
          <LinkedItems
            backend="gitlab"
            model="m"
            version="1"
            links={[]}
            registry={registry}
            writeBlocked={writeBlocked}
          />
        </div>
      );
    const tagBefore = (html: string, text: string) => {
      const at = html.indexOf(text);
      expect(at).toBeGreaterThan(-1);
      const start = html.lastIndexOf('<button', at);
      return unescape(html.slice(start, html.indexOf('>', start)));
    };
    const off = render(REASON);
    for (const label of ['Upload a file', 'Add link']) {
      expect(tagBefore(off, label)).toContain('disabled');
      expect(tagBefore(off, label)).toContain(`Not available: ${REASON}`);
    }
    const on = render(null);
    expect(tagBefore(on, 'Upload a file')).not.toContain('disabled');
    expect(tagBefore(on, 'Upload a file')).not.toContain('Not available');
    registry.dispose();
  });
});
