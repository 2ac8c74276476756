import { ChangePoll, QUIET_MAX_FACTOR, WAKE_GAP } from '../models/changePoll';
import { anyNews } from '../models/rows';
import { waitFor } from './fakeServer';

describe('ChangePoll', () => {
  let poll: ChangePoll | undefined;
  afterEach(() => poll?.dispose());

  function create(answer: () => boolean, seen: number[]): ChangePoll {
    return new ChangePoll({
      name: 'test',
      interval: 20,
      factory: async () => {
        seen.push(Date.now());
        return answer();
      },
      standby: () => false
    });
  }

  it('waits longer while nothing changes, up to 4x, and polls at full rate after a change', async () => {
    let changed = false;
    const seen: number[] = [];
    poll = create(() => changed, seen);
    void poll.start();
    await waitFor(() => seen.length >= 2);
    expect(poll.frequency.interval).toBeGreaterThan(20);
    await waitFor(() => seen.length >= 6);
    expect(poll.frequency.interval).toBe(20 * QUIET_MAX_FACTOR);
    changed = true;
    await waitFor(() => poll!.frequency.interval === 20);
    expect(seen.length).toBeGreaterThanOrEqual(7);
  });

  it('polls at once and at full rate on refresh (a change event) and on a new interval', async () => {
    const seen: number[] = [];
    poll = create(() => false, seen);
    void poll.start();
    await waitFor(() => seen.length >= 6);
    expect(poll.frequency.interval).toBe(80);
    const before = seen.length;
    void poll.refresh();
    expect(poll.frequency.interval).toBe(20);
    await waitFor(() => seen.length > before);
    poll.interval = 30;
    expect(poll.frequency.interval).toBe(30);
  });
});

describe('ChangePoll.wake (a cell finished)', () => {
  it('polls at once, then at most once per gap however many cells finish, the last one included', async () => {
    const seen: number[] = [];
    const poll = new ChangePoll({
      name: 'wake',
      interval: 60000, // the regular polls never come during the test
      factory: async () => {
        seen.push(Date.now());
        return false;
      },
      standby: () => false
    });
    try {
      void poll.start();
      await waitFor(() => seen.length === 1); // the first poll, at start
      const started = seen.length;
      poll.wake();
      await waitFor(() => seen.length === started + 1);
      const first = Date.now();
      // a burst of finished cells (Run All): one more poll, at the end of the gap
      for (let i = 0; i < 20; i++) {
        poll.wake();
      }
      await waitFor(() => seen.length === started + 2, WAKE_GAP + 2000);
      expect(Date.now() - first).toBeGreaterThanOrEqual(WAKE_GAP - 50);
      await new Promise(resolve => setTimeout(resolve, 300));
      expect(seen.length).toBe(started + 2);
      expect(poll.frequency.interval).toBe(60000 * 1.5); // the woken poll found nothing
    } finally {
      poll.dispose();
    }
  });

  it('does nothing once disposed', async () => {
    const seen: number[] = [];
    const poll = new ChangePoll({
      name: 'wake-disposed',
      interval: 60000,
      factory: async () => {
        seen.push(Date.now());
        return false;
      },
      standby: () => false
    });
    poll.wake();
    poll.dispose();
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(seen).toEqual([]);
  });
});

describe('anyNews', () => {
  const id = (r: { id: string }) => r.id;
  it('is false when the answer repeats what is loaded, true on a new or changed row', () => {
    const rows = [
      { id: 'a', v: 1 },
      { id: 'b', v: 2 }
    ];
    expect(anyNews(rows, [{ id: 'a', v: 1 }], id)).toBe(false);
    expect(anyNews(rows, [], id)).toBe(false);
    expect(anyNews(rows, [{ id: 'a', v: 3 }], id)).toBe(true);
    expect(anyNews(rows, [{ id: 'c', v: 1 }], id)).toBe(true);
  });
});
