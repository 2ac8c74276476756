/** Formatting of the registry views (shared formatting is in common/format). */

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
