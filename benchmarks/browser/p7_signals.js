/**
 * DOM signals of P7, evaluated in the page in every animation frame (so they are plain functions of one
 * argument, serialized by their source). Some act as they wait: the scroll one scrolls and loads more.
 */
'use strict';

/** The row at `index` (its `attr`) holds the text `name`. */
function rowText({ rows, attr, index, name }) {
  return [...document.querySelectorAll(`${rows}[${attr}="${index}"]`)].some(
    el => (el.textContent || '').includes(name)
  );
}

/**
 * Scroll `scroller` until the row at `index` is in its view: past the loaded rows, jump to the end (and click
 * "load more" when the UI has such a button), then bring the row in. Holds once the row is fully in view.
 */
function scrolledTo({ scroller, rows, attr, index, more }) {
  const s = document.querySelector(scroller);
  if (!s) {
    return false;
  }
  const frame = s.getBoundingClientRect();
  const hit = document.querySelector(`${rows}[${attr}="${index}"]`);
  if (hit) {
    const box = hit.getBoundingClientRect();
    if (box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1) {
      return true;
    }
    hit.scrollIntoView({ block: 'center' });
    return false;
  }
  const shown = [...document.querySelectorAll(`${rows}[${attr}]`)];
  const last = Math.max(-1, ...shown.map(el => Number(el.getAttribute(attr))));
  const height = shown.length ? shown[0].getBoundingClientRect().height : 0;
  if (more) {
    const button = [...document.querySelectorAll('button')].find(
      b => b.textContent.trim() === more
    );
    if (
      button &&
      !button.disabled &&
      button.getAttribute('loading') !== 'true'
    ) {
      button.click();
    }
  }
  if (height > 0 && last > index) {
    s.scrollTop = Math.max(0, (index + 1) * height - s.clientHeight / 2);
  } else {
    s.scrollTop = s.scrollHeight;
  }
  return false;
}

/**
 * At least `total` chart cards under `root`, and every one in the window's view drawn (`per` elements matching
 * `drawn` in it: a canvas, an svg line per series).
 */
function chartsDrawn({ root, card, drawn, per, total }) {
  const host = document.querySelector(root);
  if (!host) {
    return false;
  }
  const cards = [...host.querySelectorAll(card)];
  if (cards.length < total) {
    return false;
  }
  const h = window.innerHeight;
  const inView = cards.filter(c => {
    const b = c.getBoundingClientRect();
    return b.width > 0 && b.bottom > 0 && b.top < h;
  });
  return (
    inView.length > 0 &&
    inView.every(
      c =>
        [...c.querySelectorAll(drawn)].filter(
          el =>
            el.tagName !== 'path' || (el.getAttribute('d') || '').length > 20
        ).length >= per
    )
  );
}

module.exports = { rowText, scrolledTo, chartsDrawn };
