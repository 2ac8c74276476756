/**
 * The document and the sandbox of the frame that shows untrusted markup.
 * The sandbox NEVER contains `allow-same-origin`: the framed document gets an
 * opaque origin, so even a running script cannot reach the Jupyter page, its
 * storage or (Origin: null is refused) the Jupyter server's API.
 */
import { MarkupKind } from './untrusted';

/** The only sandbox tokens ever set on the frame: none, or scripts alone. */
export type SandboxTokens = '' | 'allow-scripts';

/** The frame's sandbox attribute: scripts only for HTML and only when asked. */
export function sandboxFor(kind: MarkupKind, scripts: boolean): SandboxTokens {
  return kind === 'html' && scripts ? 'allow-scripts' : '';
}

/** Whether a sandbox value is one this module produces (no other token). */
export function isSafeSandbox(value: string | null): boolean {
  return value === '' || value === 'allow-scripts';
}

/** Without scripts: nothing loads from the network (no tracking pixels, no requests to Jupyter). */
const STATIC_POLICY =
  "default-src 'none'; img-src data: blob:; style-src 'unsafe-inline' data:; " +
  "font-src data:; media-src data: blob:; form-action 'none'";

/**
 * With scripts (isolated): libraries may load (a Plotly report from a CDN),
 * but the frame cannot call any server (fetch, XHR, WebSocket, beacons) nor
 * submit forms or nest frames.
 */
const SCRIPTS_POLICY =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' https: data: blob:; " +
  "style-src 'unsafe-inline' https: data:; img-src https: data: blob:; " +
  "font-src https: data:; media-src https: data: blob:; connect-src 'none'; " +
  "form-action 'none'; frame-src 'none'; worker-src 'none'";

function meta(policy: string): string {
  // The first elements of the document: enforced before any of the file's
  // markup. The base keeps `#anchor` links in the document and makes other
  // relative URLs unresolvable (a srcdoc would resolve them against Jupyter).
  return (
    `<meta http-equiv="Content-Security-Policy" content="${policy}">` +
    '<base href="about:srcdoc">'
  );
}

/** A leading BOM, comments and doctype: the policy goes after them (no quirks mode). */
const PROLOGUE = /^\ufeff?\s*(?:<!--[\s\S]*?-->\s*)*(?:<!doctype[^>]*>)?/i;

function escapeText(text: string): string {
  return text.replace(/[&<>"]/g, c =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'
  );
}

/**
 * The `srcdoc` of the frame. HTML is the file with a Content-Security-Policy
 * put first; SVG is shown through an `<img>` (an SVG image never runs script
 * nor loads anything), on a page of its own.
 */
export function frameDocument(
  kind: MarkupKind,
  text: string,
  scripts: boolean
): string {
  if (kind === 'svg') {
    const src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
    return (
      '<!doctype html><html><head>' +
      meta(STATIC_POLICY) +
      '<meta name="color-scheme" content="light">' +
      '<style>html,body{height:100%;margin:0}' +
      'body{align-items:center;box-sizing:border-box;display:flex;' +
      'justify-content:center;padding:16px}' +
      'img{background:Canvas;box-shadow:0 1px 4px rgba(0,0,0,.35);' +
      'max-height:100%;max-width:100%;object-fit:contain}</style>' +
      `</head><body><img alt="SVG image" src="${escapeText(src)}"></body></html>`
    );
  }
  const prologue = (PROLOGUE.exec(text) ?? [''])[0];
  return (
    prologue +
    meta(scripts ? SCRIPTS_POLICY : STATIC_POLICY) +
    text.slice(prologue.length)
  );
}
