import { PathExt } from '@jupyterlab/coreutils';

const MIMETYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.json': 'application/json',
  '.geojson': 'application/geo+json',
  '.ipynb': 'application/x-ipynb+json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.md': 'text/markdown',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.py': 'text/x-python',
  '.yaml': 'text/x-yaml',
  '.yml': 'text/x-yaml',
  '.toml': 'text/plain',
  '.xml': 'application/xml',
  '.sh': 'text/x-sh',
  '.r': 'text/x-rsrc',
  '.sql': 'text/x-sql'
};

/** Files without an extension that MLflow writes as text (YAML). */
const TEXT_NAMES = new Set(['MLmodel', 'MLproject', 'requirements.txt']);

/** Mimetype of a file from its name; octet-stream when unknown. */
export function fileMimetype(path: string): string {
  const name = PathExt.basename(path);
  if (TEXT_NAMES.has(name)) {
    return 'text/x-yaml';
  }
  return (
    MIMETYPES[PathExt.extname(name).toLowerCase()] ?? 'application/octet-stream'
  );
}

/** Whether a mimetype is read as text (UTF-8). */
export function isTextMimetype(mimetype: string): boolean {
  return (
    mimetype.startsWith('text/') ||
    mimetype === 'application/json' ||
    mimetype === 'application/geo+json' ||
    mimetype === 'application/xml' ||
    mimetype === 'image/svg+xml'
  );
}

/** Whether bytes look like UTF-8 text (no NUL, decodes strictly). */
export function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 8192);
  if (head.includes(0)) {
    return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(
      head.length < bytes.length ? head.subarray(0, lastBoundary(head)) : head
    );
    return true;
  } catch {
    return false;
  }
}

/** Cut before a possibly split multi-byte sequence at the end. */
function lastBoundary(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const b = bytes[end - i];
    if ((b & 0xc0) === 0xc0) {
      return end - i; // a lead byte: drop it and its tail
    }
    if ((b & 0x80) === 0) {
      break;
    }
  }
  return end;
}
