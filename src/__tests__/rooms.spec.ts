/**
 * The frontend's rooms (DESIGN §2): `common/` (hooks, formatting,
 * notifications, errors, shared widgets) depends on nothing but the wire
 * types, `api/` on `common/`, `models/` on both, and each area room (sidebar,
 * experiment, detail, compare, promote, registry, snapshot) on those three only, never on
 * another area room. The plugin wiring at the top of `src/` may import anything.
 */
/// <reference types="node" />
import * as fs from 'fs';
import * as path from 'path';

const SRC = path.resolve(__dirname, '..');

/** What each room may import besides itself (`api/types`: the wire types only). */
const ALLOWED: Record<string, string[]> = {
  common: ['api/types'],
  api: ['common'],
  models: ['common', 'api']
};
const AREA_ALLOWED = ['common', 'api', 'models'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__tests__') {
        out.push(...sourceFiles(full));
      }
    } else if (/\.tsx?$/.test(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

/** `room -> target` for every relative import that leaves its room. */
function crossings(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const rel: string = path.relative(SRC, file);
    const parts = rel.split(path.sep);
    if (parts.length === 1) {
      continue; // the plugin wiring (index.ts, commands.ts, ...)
    }
    const room = parts[0];
    const text: string = fs.readFileSync(file, 'utf8');
    const imports = /from '(\.[^']*)'/g;
    for (let m = imports.exec(text); m; m = imports.exec(text)) {
      const spec = m[1];
      const target = path
        .relative(SRC, path.resolve(path.dirname(file), spec))
        .split(path.sep)
        .join('/');
      if (target.startsWith('..')) {
        continue; // style/ assets
      }
      const targetRoom = target.split('/')[0];
      if (targetRoom === room) {
        continue;
      }
      const allowed = ALLOWED[room] ?? AREA_ALLOWED;
      const ok = allowed.some(a => target === a || targetRoom === a);
      if (!ok) {
        found.push(`${rel} -> ${target}`);
      }
    }
  }
  return found;
}

describe('rooms', () => {
  it('import common/, api/ and models/ but not each other', () => {
    expect(crossings()).toEqual([]);
  });

  it('has the shared rooms', () => {
    for (const room of ['common', 'api', 'models']) {
      expect(fs.existsSync(path.join(SRC, room))).toBe(true);
    }
  });
});
