import { aliasProblem } from '../registry/aliasRules';

describe('aliasProblem (MLflow alias names)', () => {
  it.each([
    'champion',
    'challenger',
    'prod_2024-01',
    'V',
    'v1a',
    'x'.repeat(255)
  ])('accepts %s', name => {
    expect(aliasProblem(name)).toBeNull();
  });

  it.each([
    ['', /type an alias/i],
    ['latest', /reserved/],
    ['LaTeSt', /reserved/],
    ['v1', /reserved/],
    ['V42', /reserved/],
    ['a b', /letters, digits/],
    ['a.b', /letters, digits/],
    ['a/b', /letters, digits/],
    ['é', /letters, digits/],
    ['<b>x</b>', /letters, digits/],
    ['x'.repeat(256), /255/]
  ])('refuses %j', (name, why) => {
    expect(aliasProblem(name)).toMatch(why);
  });
});
