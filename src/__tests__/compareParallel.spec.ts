import {
  isNumeric,
  linearTicks,
  polylinePath,
  scaleAxis,
  toNumber
} from '../compare/parallel';

describe('parallel-coordinate scaling', () => {
  it('recognises numeric dimensions (strings of numbers included)', () => {
    expect(isNumeric(['0.1', '1e-3', null])).toBe(true);
    expect(isNumeric([0.1, 2])).toBe(true);
    expect(isNumeric(['adam', '0.1'])).toBe(false);
    expect(isNumeric([null, null])).toBe(false);
    expect(toNumber('NaN')).toBeNull();
    expect(toNumber('')).toBeNull();
  });

  it('scales numbers linearly to [0, 1] and keeps missing values out', () => {
    const axis = scaleAxis('lr', 'param', ['0.1', '0.3', null, '0.2']);
    expect(axis.type).toBe('numeric');
    expect(axis.min).toBe(0.1);
    expect(axis.max).toBe(0.3);
    expect(axis.positions[0]).toBeCloseTo(0);
    expect(axis.positions[1]).toBeCloseTo(1);
    expect(axis.positions[2]).toBeNull();
    expect(axis.positions[3]).toBeCloseTo(0.5);
    expect(axis.ticks[0]).toEqual({ label: '0.1', pos: 0 });
    expect(axis.ticks[4].pos).toBeCloseTo(1);
  });

  it('treats non-finite metric values as missing', () => {
    const axis = scaleAxis('loss', 'metric', [0.5, 'NaN', 1.5, 'Infinity']);
    expect(axis.type).toBe('numeric');
    expect(axis.positions).toEqual([0, null, 1, null]);
  });

  it('puts a constant dimension in the middle', () => {
    const axis = scaleAxis('depth', 'param', ['5', '5']);
    expect(axis.positions).toEqual([0.5, 0.5]);
    expect(axis.ticks).toEqual([{ label: '5', pos: 0.5 }]);
  });

  it('spaces categories evenly in natural order', () => {
    const axis = scaleAxis('opt', 'param', ['sgd', 'adam', 'sgd', 'rmsprop']);
    expect(axis.type).toBe('categorical');
    expect(axis.ticks.map(t => t.label)).toEqual(['adam', 'rmsprop', 'sgd']);
    expect(axis.positions).toEqual([1, 0, 1, 0.5]);
    const natural = scaleAxis('layer', 'param', ['l10', 'l2', 'l1']);
    expect(natural.ticks.map(t => t.label)).toEqual(['l1', 'l2', 'l10']);
  });

  it('makes ticks and paths', () => {
    expect(linearTicks(0, 1, 3)).toEqual([0, 0.5, 1]);
    expect(linearTicks(2, 2)).toEqual([2]);
    expect(
      polylinePath([{ x: 0, y: 1 }, { x: 10, y: 2 }, null, { x: 30, y: 4 }])
    ).toBe('M0.0,1.0L10.0,2.0L30.0,4.0');
    expect(polylinePath([null, { x: 1, y: 1 }])).toBe('M1.0,1.0');
    expect(polylinePath([null])).toBe('');
  });
});
