/**
 * The API contract, TypeScript side: every answer recorded by
 * `tests/test_wire_contract.py` (a real server; `MLOPS_RECORD_WIRE=1`
 * records them again) must be exactly its interface of `src/api/`.
 *
 * Each recorded JSON becomes an object literal `satisfies` its interface in
 * a program compiled here with the project's compiler options: object
 * literals get excess-property checks, so a key the interface does not
 * declare fails, like a missing key or a wrong type.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const API = path.resolve(__dirname, '..', 'api');
const RECORDED = path.join(__dirname, 'recorded');

/** Recorded name -> [module of src/api, interface]; keep in step with CONTRACT of the Python test. */
const CONTRACT: Record<string, [string, string]> = {
  status: ['types', 'IStatus'],
  experiments: ['types', 'IExperimentsPage'],
  experiment_summary: ['types', 'IExperimentRow'],
  runs: ['types', 'IRunsPage'],
  run: ['types', 'IRunDetail'],
  metric_history: ['types', 'IMetricHistory'],
  artifacts: ['types', 'IArtifactList'],
  compare: ['compareTypes', 'ICompareResultWire'],
  next_version: ['registryTypes', 'INextVersion'],
  promote: ['registryTypes', 'IPromoteResult'],
  champion: ['registryTypes', 'IChampionCheck'],
  models: ['registryTypes', 'IModelsList'],
  model: ['registryTypes', 'IModelPage'],
  set_alias: ['registryTypes', 'IModelAliases'],
  remove_alias: ['registryTypes', 'IModelAliases'],
  version: ['registryTypes', 'IVersionPage'],
  add_link: ['registryTypes', 'IVersionLinks'],
  remove_link: ['registryTypes', 'IVersionLinks'],
  upload: ['registryTypes', 'IUploadResult'],
  take_snapshot: ['snapshotTypes', 'ISnapshotResult'],
  snapshot: ['snapshotTypes', 'ISnapshotView'],
  restore: ['snapshotTypes', 'IRestoreResult'],
  snapshot_diff: ['snapshotTypes', 'ISnapshotDiff'],
  restart: ['embedded', 'IRestartAnswer'],
  backend_log: ['embedded', 'IBackendLog'],
  edit_run: ['editTypes', 'IRunEdit'],
  delete_runs: ['editTypes', 'IRunsChanged'],
  restore_runs: ['editTypes', 'IRunsChanged'],
  deleted_runs: ['editTypes', 'IDeletedRuns'],
  edit_experiment: ['types', 'IExperimentRow'],
  delete_experiment: ['editTypes', 'IExperimentChanged'],
  restore_experiment: ['editTypes', 'IExperimentChanged'],
  deleted_experiments: ['editTypes', 'IDeletedExperiments']
};

/** `compare.gitlab.json` -> `compare` (a variant: recorded from the GitLab stand-in, or the embedded backend). */
function routeOf(file: string): string {
  return file.replace(/(\.gitlab|\.embedded)?\.json$/, '');
}

/** A TypeScript source that checks every recorded answer against its interface. */
function checkSource(files: string[]): string {
  const byModule = new Map<string, Set<string>>();
  const checks = files.map((file, i) => {
    const [module, name] = CONTRACT[routeOf(file)];
    byModule.set(module, (byModule.get(module) ?? new Set()).add(name));
    const json = fs.readFileSync(path.join(RECORDED, file), 'utf-8');
    return `// ${file}\nexport const answer${i} = ${json.trim()} satisfies ${name};\n`;
  });
  const imports = [...byModule].map(
    ([module, names]) =>
      `import type { ${[...names].join(', ')} } from '${path.join(API, module)}';`
  );
  return [...imports, '', ...checks].join('\n');
}

/** Type errors of `source` compiled with tsconfig.json's options, as "file: message" lines. */
function typeErrors(source: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.resolve(__dirname, '..', '..', 'tsconfig.json'),
    {},
    { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined }
  );
  const options: ts.CompilerOptions = {
    ...config!.options,
    noEmit: true,
    composite: false,
    incremental: false,
    declaration: false
  };
  const fileName = path.join(__dirname, 'wireCheck.generated.ts');
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = f => f === fileName || ts.sys.fileExists(f);
  host.readFile = f => (f === fileName ? source : readFile(f));
  host.getSourceFile = (f, lang, ...rest) =>
    f === fileName
      ? ts.createSourceFile(f, source, lang)
      : getSourceFile(f, lang, ...rest);
  const program = ts.createProgram([fileName], options, host);
  const lines = source.split('\n');
  return ts.getPreEmitDiagnostics(program).map(d => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) {
      return text;
    }
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const recorded = lines
      .slice(0, line + 1)
      .reverse()
      .find(l => l.startsWith('// '));
    return `${recorded?.slice(3) ?? d.file.fileName}: ${text}`;
  });
}

describe('the recorded answers of every route', () => {
  const files = fs
    .readdirSync(RECORDED)
    .filter(f => f.endsWith('.json'))
    .sort();

  it('cover every route of the contract, and only those', () => {
    expect(new Set(files.map(routeOf))).toEqual(new Set(Object.keys(CONTRACT)));
  });

  it('are exactly their TypeScript interfaces', () => {
    expect(typeErrors(checkSource(files))).toEqual([]);
  }, 60000);

  it('fail on a key the interface does not declare, or a wrong type', () => {
    const artifacts = JSON.parse(
      fs.readFileSync(path.join(RECORDED, 'artifacts.json'), 'utf-8')
    );
    // the recorded files stay untouched: the edited answers are checked from here
    const bad = (answer: unknown): string[] =>
      typeErrors(
        `import type { IArtifactList } from '${path.join(API, 'types')}';\n` +
          `// artifacts.json (edited)\nexport const a = ${JSON.stringify(answer)} satisfies IArtifactList;\n`
      );
    expect(bad({ ...artifacts, extra: 1 }).join('\n')).toMatch(/extra/);
    expect(bad({ ...artifacts, path: 3 }).join('\n')).toMatch(/number/);
    const { note: _note, ...noNote } = artifacts;
    expect(bad(noNote).join('\n')).toMatch(/note/);
  }, 60000);
});
