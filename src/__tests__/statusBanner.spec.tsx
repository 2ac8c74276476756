/**
 * The sidebar's status banner: the spool line and the "N batches set aside:
 * <reason>" line the kernels' delivery rules produce (issue 10).
 */
import * as React from 'react';

import { renderToStaticMarkup } from './render';

import { IStatus } from '../api/types';
import { setAsideNote, StatusBanner } from '../sidebar/StatusBanner';

function status(spool: Record<string, unknown>): IStatus {
  return {
    version: '0.1.0',
    default_backend: 'default',
    backends: [
      {
        name: 'default',
        kind: 'gitlab',
        url: 'https://gitlab.example/api/v4/projects/1/ml/mlflow',
        embedded: false,
        health: 'healthy',
        message: '',
        capabilities: {} as any
      } as any
    ],
    spool: spool as any
  };
}

function render(s: IStatus): string {
  return renderToStaticMarkup(
    <StatusBanner state={{ phase: 'ready', status: s } as any} />
  );
}

describe('set-aside batches in the status banner', () => {
  it('says how many batches are set aside and why', () => {
    const html = render(
      status({
        depth: 0,
        set_aside: {
          batches: 2,
          items: 1500,
          reasons: ["Backend 'gitlab' failed (500): 500 Internal Server Error"]
        }
      })
    );
    expect(html).toContain('data-set-aside="true"');
    expect(html).toContain(
      '2 batches set aside: Backend &#x27;gitlab&#x27; failed (500): 500 Internal Server Error'
    );
  });

  it('uses the singular and works without reasons', () => {
    expect(setAsideNote({ depth: 0, set_aside: { batches: 1 } } as any)).toBe(
      '1 batch set aside'
    );
  });

  it('shows nothing when nothing is set aside or the server is older', () => {
    expect(setAsideNote({ depth: 3 })).toBeNull();
    expect(
      setAsideNote({ depth: 0, set_aside: { batches: 0, reasons: [] } } as any)
    ).toBeNull();
    const html = render(status({ depth: 3 }));
    expect(html).not.toContain('set aside');
    expect(html).toContain('3 logged points are waiting to be sent.');
  });

  it('renders a reason as text, never as markup', () => {
    const html = render(
      status({
        depth: 0,
        set_aside: { batches: 1, reasons: ['<img src=x onerror=alert(1)>'] }
      })
    );
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
