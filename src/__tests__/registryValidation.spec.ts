import {
  modelNameProblem,
  nextSemver,
  parseSemver,
  semverProblem,
  SEMVER_RE
} from '../promote/validation';

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

describe('model name rule (GitLab ml_model_name_regex)', () => {
  it.each([
    'churn',
    'my-model_v2.1',
    'team/churn',
    '@scope/pkg',
    'modèle',
    'a+b/c'
  ])('accepts %s', name => {
    expect(modelNameProblem(name)).toBeNull();
  });

  it.each([
    ['', 'Enter a model name.'],
    ['my model', 'No spaces.'],
    ['x'.repeat(256), 'At most 255 characters (this one has 256).'],
    ['a<b', 'Characters outside the rule.'],
    ['<img src=x onerror=alert(1)>', 'No spaces.'],
    ['name#1', 'Characters outside the rule.']
  ])('refuses %j', (name, why) => {
    expect(modelNameProblem(name)).toBe(why);
  });
});
