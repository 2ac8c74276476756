import * as React from 'react';

const STEPS: Record<string, number> = {
  ArrowDown: 1,
  ArrowUp: -1,
  Home: -Infinity,
  End: Infinity
};

/**
 * Keyboard moves in a list of buttons: arrows, Home and End move the focus
 * among the elements matching `selector` (Enter and Space press them, as
 * buttons do). Returns the list's `onKeyDown`.
 */
export function listKeyHandler(
  selector: string
): (event: React.KeyboardEvent<HTMLElement>) => void {
  return event => {
    const step = STEPS[event.key];
    if (step === undefined) {
      return;
    }
    const items = Array.from(
      event.currentTarget.querySelectorAll<HTMLElement>(selector)
    );
    if (!items.length) {
      return;
    }
    event.preventDefault();
    const at = items.indexOf(document.activeElement as HTMLElement);
    const next =
      at < 0
        ? step > 0
          ? 0
          : items.length - 1
        : Math.min(items.length - 1, Math.max(0, at + step));
    items[next].focus();
    items[next].scrollIntoView({ block: 'nearest' });
  };
}
