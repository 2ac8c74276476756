/** The run detail's snapshot section offers only what exists; the attach command's question. */
import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import type { IRunDetail } from '../api/types';
import { SnapshotSection } from '../detail/SnapshotSection';
import { confirmText, runTitle } from '../snapshot/attach';
import { renderToStaticMarkup } from './render';

function registry(notebookOpen: boolean): CommandRegistry {
  const commands = new CommandRegistry();
  for (const id of [
    'mlops:snapshot-open',
    'mlops:snapshot-diff',
    'mlops:snapshot-restore'
  ]) {
    commands.addCommand(id, {
      label: id,
      isEnabled: args => args.has_snapshot !== false,
      execute: () => undefined
    });
  }
  commands.addCommand('mlops:snapshot-attach', {
    label: 'Attach the open notebook',
    caption: notebookOpen ? 'Save train.ipynb and attach it' : 'Open it first',
    isEnabled: () => notebookOpen,
    execute: () => undefined
  });
  return commands;
}

function detail(tags: Record<string, string>): IRunDetail {
  return {
    info: {
      run_id: 'r1',
      run_name: 'baseline',
      status: 'FINISHED',
      user_id: 'ada',
      user_name: null
    },
    params: {},
    metrics: {},
    tags,
    system_tags: {},
    links: {},
    artifacts: { files: [], note: null }
  } as unknown as IRunDetail;
}

function render(commands: CommandRegistry, tags: Record<string, string>) {
  return renderToStaticMarkup(
    <SnapshotSection
      commands={commands as any}
      backend="default"
      runId="r1"
      isNotebook={true}
      detail={detail(tags)}
    />
  );
}

describe('SnapshotSection', () => {
  it('offers open, diff and restore for a run with a snapshot', () => {
    const html = render(registry(true), { 'mlops.snapshot.sha256': 'f00' });
    expect(html).toContain('data-command="mlops:snapshot-open"');
    expect(html).toContain('data-command="mlops:snapshot-diff"');
    expect(html).toContain('data-command="mlops:snapshot-restore"');
    expect(html).not.toContain('mlops:snapshot-attach');
  });

  it('offers only "Attach the open notebook" for a run without one', () => {
    const html = render(registry(true), {});
    expect(html).not.toContain('mlops:snapshot-open');
    expect(html).not.toContain('mlops:snapshot-diff');
    expect(html).not.toContain('mlops:snapshot-restore');
    expect(html).toContain('data-command="mlops:snapshot-attach"');
    expect(html).toContain('Attach the open notebook');
    expect(html).toContain('Save train.ipynb and attach it');
    expect(html).toContain('has no notebook snapshot');
  });

  it('disables attaching when no notebook is open, and says why', () => {
    const html = render(registry(false), {});
    expect(html).toMatch(
      /<button[^>]*disabled=""[^>]*data-command="mlops:snapshot-attach"|<button[^>]*data-command="mlops:snapshot-attach"[^>]*disabled=""/
    );
    expect(html).toContain('Open it first');
  });
});

describe('attach confirmation', () => {
  it('names the notebook, the run and whose run it is', () => {
    expect(
      confirmText('train.ipynb', {
        run_id: '0123456789',
        run_name: 'baseline',
        status: 'FINISHED',
        user: 'ada'
      })
    ).toBe(
      'Save "train.ipynb" and attach it as the notebook snapshot of run "baseline" ' +
        '(finished, by ada)? Secrets are scrubbed before the upload.'
    );
    expect(runTitle({ run_id: '0123456789' })).toBe('01234567');
    expect(confirmText('a.ipynb', { run_id: '0123456789' })).toContain(
      'snapshot of run "01234567"? Secrets'
    );
  });
});
