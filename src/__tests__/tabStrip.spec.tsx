/** The shared tab strip: ARIA roles, the current tab, arrow/Home/End keys. */
import * as React from 'react';

import { TabStrip, tabAfterKey } from '../common/TabStrip';
import { renderToStaticMarkup } from './render';

describe('tabAfterKey', () => {
  it('wraps with the arrows, jumps with Home and End, ignores other keys', () => {
    expect(tabAfterKey('ArrowRight', 2, 3)).toBe(0);
    expect(tabAfterKey('ArrowLeft', 0, 3)).toBe(2);
    expect(tabAfterKey('ArrowRight', 0, 3)).toBe(1);
    expect(tabAfterKey('Home', 2, 3)).toBe(0);
    expect(tabAfterKey('End', 0, 3)).toBe(2);
    expect(tabAfterKey('Enter', 1, 3)).toBeNull();
  });
});

describe('TabStrip', () => {
  it('marks only the current tab, which alone takes the focus', () => {
    const html = renderToStaticMarkup(
      <TabStrip
        tabs={[
          { id: 'a', label: 'Alpha' },
          { id: 'b', label: '<b>Beta</b>' }
        ]}
        current="b"
        label="Views"
        className="jp-mlops-Sections"
        onSelect={() => undefined}
      />
    );
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const list = doc.querySelector('[role="tablist"]')!;
    expect(list.className).toBe('jp-mlops-Tabs jp-mlops-Sections');
    expect(list.getAttribute('aria-label')).toBe('Views');
    const tabs = Array.from(doc.querySelectorAll('[role="tab"]'));
    expect(tabs.map(t => t.getAttribute('data-tab'))).toEqual(['a', 'b']);
    expect(tabs.map(t => t.getAttribute('aria-selected'))).toEqual([
      'false',
      'true'
    ]);
    expect(tabs.map(t => t.getAttribute('tabindex'))).toEqual(['-1', '0']);
    expect(tabs[1].classList.contains('jp-mlops-mod-current')).toBe(true);
    expect(tabs[1].classList.contains('jp-mod-current')).toBe(false);
    // Labels are text.
    expect(tabs[1].textContent).toBe('<b>Beta</b>');
    expect(doc.querySelector('b')).toBeNull();
  });
});
