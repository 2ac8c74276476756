/** Formatting shared by the registry views. */

/** "just now", "5 min ago", "3 h ago", "2 days ago", else the date. */
export function timeAgo(
  ms: number | null | undefined,
  now: number = Date.now()
): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) {
    return '—';
  }
  const s = Math.round((now - ms) / 1000);
  if (s < 45) {
    return 'just now';
  }
  const m = Math.round(s / 60);
  if (m < 60) {
    return `${m} min ago`;
  }
  const h = Math.round(m / 60);
  if (h < 24) {
    return `${h} h ago`;
  }
  const d = Math.round(h / 24);
  if (d < 30) {
    return d === 1 ? 'yesterday' : `${d} days ago`;
  }
  return new Date(ms).toISOString().slice(0, 10);
}

/** The full local date and time, for a tooltip. */
export function fullTime(ms: number | null | undefined): string {
  return ms ? new Date(ms).toLocaleString() : '';
}

/** A time cell: relative text, exact time on hover. */
export function timeCell(ms: number | null | undefined): {
  text: string;
  title: string;
} {
  return { text: timeAgo(ms), title: fullTime(ms) };
}

/** The version as users know it: the semver when there is one. */
export function versionLabel(v: {
  version: string;
  semver?: string | null;
}): string {
  return v.semver ?? v.version;
}

/** Safe link target: only http(s) URLs become links. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) {
    return null;
  }
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:'
      ? parsed.href
      : null;
  } catch {
    return null;
  }
}

/** Where an artifact is saved in the Jupyter root to open it in a viewer. */
export function artifactLocalPath(
  backend: string,
  model: string,
  version: string,
  file: string
): string {
  const clean = (s: string) =>
    s
      .split('/')
      .filter(seg => seg && seg !== '.' && seg !== '..')
      .map(seg => seg.replace(/[\\:*?"<>|]/g, '_'))
      .join('/');
  return [
    'mlops-artifacts',
    clean(backend),
    clean(model),
    clean(version),
    clean(file)
  ]
    .filter(Boolean)
    .join('/');
}

/** Extensions JupyterLab opens in a viewer (others are downloaded). */
const VIEWABLE =
  /\.(txt|md|json|jsonl|csv|tsv|ya?ml|py|ipynb|html?|svg|png|jpe?g|gif|log|toml|cfg|ini|xml|pdf)$/i;

/** Whether a file opens in a JupyterLab viewer. */
export function isViewable(path: string): boolean {
  const base = path.split('/').pop() ?? '';
  return (
    VIEWABLE.test(base) || base === 'MLmodel' || base === 'requirements.txt'
  );
}
