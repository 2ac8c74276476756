/**
 * A row of tabs (WAI-ARIA tablist): the sidebar's sections and the
 * experiment page's views. Arrow keys move between tabs, Home and End jump.
 */
import * as React from 'react';

/** One tab: its id (also its `data-tab`) and the label it shows. */
export interface ITab<T extends string> {
  id: T;
  label: string;
}

/** What {@link TabStrip} renders. */
export interface ITabStripProps<T extends string> {
  tabs: ReadonlyArray<ITab<T>>;
  current: T;
  /** The tablist's accessible name. */
  label: string;
  onSelect(id: T): void;
  /** Extra class of the strip (its layout where it sits). */
  className?: string;
}

/** Move from tab `index` by a key, or null for a key that does not move. */
export function tabAfterKey(
  key: string,
  index: number,
  count: number
): number | null {
  switch (key) {
    case 'ArrowRight':
      return (index + 1) % count;
    case 'ArrowLeft':
      return (index - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/**
 * The current tab carries `jp-mlops-mod-current`, not `jp-mod-current`: with
 * role="tab" in the main area, that class marks a dock tab for JupyterLab
 * tools (Galata).
 */
export function TabStrip<T extends string>(
  props: ITabStripProps<T>
): JSX.Element {
  const { tabs, current, onSelect } = props;
  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    const index = tabs.findIndex(t => t.id === current);
    const next = tabAfterKey(event.key, index, tabs.length);
    if (next === null) {
      return;
    }
    event.preventDefault();
    const id = tabs[next].id;
    onSelect(id);
    event.currentTarget
      .querySelector<HTMLElement>(`[data-tab="${id}"]`)
      ?.focus();
  };
  return (
    <div
      className={`jp-mlops-Tabs${props.className ? ` ${props.className}` : ''}`}
      role="tablist"
      aria-label={props.label}
      onKeyDown={onKeyDown}
    >
      {tabs.map(t => (
        <button
          key={t.id}
          role="tab"
          className={`jp-mlops-Tab${t.id === current ? ' jp-mlops-mod-current' : ''}`}
          data-tab={t.id}
          aria-selected={t.id === current}
          tabIndex={t.id === current ? 0 : -1}
          onClick={() => onSelect(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}
