import {
  compareSemver,
  modelNameProblem,
  sortVersions,
  nextSemver,
  parseSemver,
  semverProblem,
  SEMVER_RE
} from '../common/registryRules';

describe('semver rule (mirrors client/dialect.py)', () => {
  it.each([
    '1.0.0',
    '0.1.0',
    '10.20.30',
    '1.2.3-rc.1',
    '1.2.3+build.5',
    '1.0.0-alpha-a.b-c+x.7'
  ])('accepts %s', v => {
    expect(semverProblem(v)).toBeNull();
  });

  it.each([
    ['', 'Enter a version.'],
    ['v1.2.3', 'Drop the leading "v": 1.2.3.'],
    ['1.2', 'A version has three numbers: MAJOR.MINOR.PATCH.'],
    ['1', 'A version has three numbers: MAJOR.MINOR.PATCH.'],
    ['01.2.3', 'Numbers must not have leading zeros.'],
    ['1.02.3', 'Numbers must not have leading zeros.'],
    ['1.2.3-', 'Not a semantic version.'],
    ['1.2.3-01', 'Not a semantic version.'],
    ['latest', 'Not a semantic version.']
  ])('refuses %j: %s', (v, why) => {
    expect(semverProblem(v)).toBe(why);
  });

  it('parses and bumps like GitLab', () => {
    expect(parseSemver('1.2.3-rc.1')).toEqual({
      major: 1,
      minor: 2,
      patch: 3,
      prerelease: 'rc.1'
    });
    expect(nextSemver(null)).toBe('1.0.0');
    expect(nextSemver('1.2.3')).toBe('1.2.4');
    expect(nextSemver('1.2.3', 'minor')).toBe('1.3.0');
    expect(nextSemver('1.2.3', 'major')).toBe('2.0.0');
    expect(nextSemver('1.2.0-rc.1')).toBe('1.2.0');
    expect(SEMVER_RE.test('1.2.3.4')).toBe(false);
  });
});

describe('model name rule (GitLab ml_model_name_regex, Ruby: ASCII \\w)', () => {
  // the same names as tests/test_gitlab_registry.py::test_model_name_rule_is_gitlabs
  it.each([
    'churn',
    'my-model_v2.1',
    'team/churn',
    '@scope/pkg',
    'a+b/c',
    'a@b',
    'x+/'
  ])('accepts %s', name => {
    expect(modelNameProblem(name)).toBeNull();
  });

  it.each([
    ['', 'Enter a model name.'],
    ['x'.repeat(256), 'At most 255 characters (this one has 256).'],
    [
      'my model',
      'No spaces: use ASCII letters, digits, "_", "-", "." and "/".'
    ],
    [
      'modèle',
      '"è" is not allowed: use ASCII letters, digits, "_", "-", "." and "/".'
    ],
    [
      'модель',
      '"м", "о", "д", "е", "л", "ь" are not allowed: use ASCII letters, digits, "_", "-", "." and "/".'
    ],
    [
      'a<b c',
      '"<", spaces are not allowed: use ASCII letters, digits, "_", "-", "." and "/".'
    ],
    [
      'name#1',
      '"#" is not allowed: use ASCII letters, digits, "_", "-", "." and "/".'
    ],
    [
      'abc\n',
      '"\\n" is not allowed: use ASCII letters, digits, "_", "-", "." and "/".'
    ],
    [
      'a+b',
      '"+" is allowed only in a segment that a "/" follows, not in the last one.'
    ],
    [
      'a/b+c',
      '"+" is allowed only in a segment that a "/" follows, not in the last one.'
    ],
    ['a@b@c', '"@" is allowed only at the start and once between two parts.']
  ])('refuses %j: %s', (name, why) => {
    expect(modelNameProblem(name)).toBe(why);
  });
});

describe('version ordering: semver.org §11 precedence', () => {
  it('orders prereleases by identifiers, numbers as numbers', () => {
    const shuffled = [
      '1.0.0',
      '1.0.0-rc.10',
      '1.0.0-beta.11',
      'not-a-version',
      '1.0.0-alpha.beta',
      '1.0.0-rc.2',
      '1.0.0-alpha',
      '2.0.0',
      '1.0.0-beta',
      '1.0.0-alpha.1',
      '1.10.0',
      '1.0.0-beta.2',
      '1.2.0',
      '1.0.0-rc.1'
    ];
    expect([...shuffled].sort(compareSemver)).toEqual([
      'not-a-version',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0-rc.2',
      '1.0.0-rc.10',
      '1.0.0',
      '1.2.0',
      '1.10.0',
      '2.0.0'
    ]);
  });

  it('ignores build metadata and puts a release above its prereleases', () => {
    expect(compareSemver('1.0.0+build.9', '1.0.0+build.1')).toBe(0);
    expect(compareSemver('1.0.0', '1.0.0-rc.1')).toBe(1);
    expect(compareSemver('1.0.0-1', '1.0.0-a')).toBe(-1);
  });

  it('sorts versions highest first, versions without a semver after', () => {
    const rows = [
      { version: '3', version_id: '3', semver: '1.0.0-rc.2' },
      { version: '4', version_id: '4', semver: null },
      { version: '1', version_id: '1', semver: '1.0.0-rc.10' },
      { version: '2', version_id: '2', semver: '1.0.0' },
      { version: '5', version_id: '5', semver: null }
    ];
    expect(sortVersions(rows).map(r => r.version)).toEqual([
      '2',
      '1',
      '3',
      '5',
      '4'
    ]);
  });
});
