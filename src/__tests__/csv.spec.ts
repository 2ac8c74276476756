import { csvCell, toCsv } from '../common/csv';
import { candidatesCsv, candidatesCsvName } from '../experiment/csv';
import { IRunRow } from '../api/types';

describe('CSV export', () => {
  it('defuses formulas in text and keeps numbers', () => {
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('-0.5')).toBe('-0.5');
    expect(csvCell(-0.5)).toBe('-0.5');
    expect(csvCell('1e-3')).toBe('1e-3');
    expect(csvCell(null)).toBe('');
  });

  it('quotes separators, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(
      toCsv([
        ['a', 'b'],
        [1, 'x\ny']
      ])
    ).toBe('a,b\r\n1,"x\ny"\r\n');
  });

  it('writes the shown candidates with their data columns', () => {
    const row: IRunRow = {
      run_id: 'r1',
      run_name: 'alpha',
      status: 'FINISHED',
      start_time: 1,
      end_time: 2,
      user_id: 'ada',
      experiment_id: '7',
      params: { lr: '0.1' },
      metrics: { loss: 0.5 },
      tags: {}
    };
    const text = candidatesCsv(
      'default',
      [row],
      ['params.lr', 'metrics.loss', 'tags.team']
    );
    expect(text.split('\r\n')).toEqual([
      'backend,run_id,run_name,experiment_id,status,start_time,end_time,user,param:lr,metric:loss,tag:team',
      'default,r1,alpha,7,FINISHED,1,2,ada,0.1,0.5,',
      ''
    ]);
    expect(
      candidatesCsvName('my exp/1', new Date('2026-12-06T10:00:00Z'))
    ).toBe('my_exp_1-candidates-2026-12-06.csv');
  });
});
