/** Formatting of the registry views (shared formatting is in common/format). */

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
