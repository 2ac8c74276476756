/**
 * The version handshake: the frontend compares the server extension's
 * `status.version` with its own (package.json) and says what to do.
 */
/// <reference types="node" />
import * as fs from 'fs';
import * as path from 'path';
import * as React from 'react';

import { renderToStaticMarkup } from './render';

import { IStatus } from '../api/types';
import { FRONTEND_VERSION, pep440, versionMismatch } from '../models/version';
import { StatusBanner } from '../sidebar/StatusBanner';

function status(version: string): IStatus {
  return {
    version,
    default_backend: 'default',
    backends: [
      {
        name: 'default',
        kind: 'mlflow',
        url: 'http://127.0.0.1:5000',
        embedded: false,
        health: 'healthy',
        message: '',
        capabilities: {} as any
      } as any
    ],
    spool: { depth: 0 }
  };
}

function render(version: string): string {
  return renderToStaticMarkup(
    <StatusBanner state={{ phase: 'ready', status: status(version) }} />
  );
}

describe('version handshake', () => {
  it('takes the frontend version from package.json', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')
    );
    expect(FRONTEND_VERSION).toBe(manifest.version);
  });

  it('writes npm pre-releases as Python does', () => {
    expect(pep440('1.2.0')).toBe('1.2.0');
    expect(pep440('1.2.0-alpha.1')).toBe('1.2.0a1');
    expect(pep440('1.2.0-beta.2')).toBe('1.2.0b2');
    expect(pep440('1.2.0-rc.3')).toBe('1.2.0rc3');
  });

  it('finds no mismatch between the same release in both spellings', () => {
    expect(versionMismatch('1.2.0a1', '1.2.0-alpha.1')).toBeNull();
    expect(versionMismatch(FRONTEND_VERSION)).toBeNull();
    // An older server that does not report its version: nothing to compare.
    expect(versionMismatch('')).toBeNull();
  });

  it('says what to do on a mismatch', () => {
    const mismatch = versionMismatch('0.0.9', '0.1.0');
    expect(mismatch).toEqual(
      expect.objectContaining({ server: '0.0.9', frontend: '0.1.0' })
    );
    expect(mismatch!.message).toContain('pip install -U jupyterlab_mlops');
    expect(mismatch!.message).toContain('restart JupyterLab');
  });

  it('shows a banner only when the versions differ', () => {
    const html = render('0.0.1');
    expect(html).toContain('data-status="version-mismatch"');
    expect(html).toContain(
      `The server extension is 0.0.1, the frontend is ${FRONTEND_VERSION}`
    );
    expect(html).toContain('pip install -U jupyterlab_mlops');
    // The backend banner is still there.
    expect(html).toContain('data-health="healthy"');

    expect(render(FRONTEND_VERSION)).not.toContain('version-mismatch');
  });

  it('keeps the banner of a missing server extension', () => {
    const html = renderToStaticMarkup(
      <StatusBanner
        state={{
          phase: 'missing',
          error: { message: 'missing' } as any
        }}
      />
    );
    expect(html).toContain('data-status="missing"');
    expect(html).toContain('pip install jupyterlab_mlops');
    expect(html).toContain('jupyter server extension enable jupyterlab_mlops');
  });
});
