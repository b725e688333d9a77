/**
 * The fleet benchmark's pure parts: the endpoint's ledger (due instants, lateness over a window,
 * missed and replayed refreshes), the spread of supplied expiries, and the Prometheus reading.
 */
import { RefreshLedger } from '../../../bench/fleet/ledger';
import { histogramQuantile, increase, increaseBy, parsePrometheus } from '../../../bench/fleet/prometheus';
import { remainingShare } from '../../../bench/fleet/register';

describe('RefreshLedger', () => {
  it('expects the first refresh halfway between registration and expiry, the next ones half a lifetime after each call', () => {
    const ledger = new RefreshLedger(60_000, 0.5);
    ledger.expect('a', 'rt0', 1_000, 41_000);
    expect(ledger.dueAt('a')).toBe(21_000);
    expect(ledger.refresh('a', 'rt0', 21_250, 'rt1')).toEqual({ expiresAt: 81_250 });
    expect(ledger.dueAt('a')).toBe(51_250);
    expect(ledger.refresh('a', 'rt1', 51_250, 'rt2')).toEqual({ expiresAt: 111_250 });
    expect(ledger.window(0, 60_000).lateness).toEqual([250, 0]);
    expect(ledger.calls()).toEqual({ min: 2, max: 2, total: 2 });
  });

  it('counts a refresh due in the window but not arrived as late by the time left, and a replayed refresh token', () => {
    const ledger = new RefreshLedger(60_000, 0.5);
    ledger.expect('a', 'rt0', 0, 20_000); // due at 10 s
    ledger.expect('b', 'rt0', 0, 200_000); // due at 100 s: outside the window
    expect(ledger.refresh('b', 'wrong', 5_000, 'x')).toBe('replay');
    expect(ledger.refresh('c', 'rt0', 5_000, 'x')).toBe('unknown');
    const w = ledger.window(0, 30_000, 32_000);
    expect(w).toEqual({ lateness: [22_000], unfinished: 1, arrived: 0, missed: 0 });
    ledger.sweep(32_000); // a's token expired at 20 s, in the window
    expect(ledger.window(0, 30_000, 32_000).missed).toBe(1);
    expect(ledger.replays).toBe(1);
  });

  it('counts each token that expired unrefreshed once, whether the sweep or the late refresh sees it first', () => {
    const ledger = new RefreshLedger(60_000, 0.5);
    ledger.expect('a', 'rt0', 0, 10_000);
    ledger.expect('b', 'rt0', 0, 10_000);
    expect(ledger.sweep(9_000)).toBe(0);
    expect(ledger.sweep(10_001)).toBe(2);
    expect(ledger.sweep(12_000)).toBe(2);
    ledger.refresh('a', 'rt0', 12_500, 'rt1'); // already counted by the sweep
    ledger.expect('c', 'rt0', 0, 10_000);
    ledger.refresh('c', 'rt0', 11_000, 'rt1'); // late, before any sweep
    expect(ledger.missed).toBe(3);
    expect(ledger.window(0, 9_999).missed).toBe(0);
    expect(ledger.window(10_000, 10_000).missed).toBe(3);
  });
});

describe('remainingShare', () => {
  it('spreads supplied expiries over 0.2–1.2 lifetimes, evenly for any prefix of the sequence', () => {
    for (const n of [10, 200, 5000]) {
      const shares = Array.from({ length: n }, (_, i) => remainingShare(i));
      expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.2);
      expect(Math.max(...shares)).toBeLessThan(1.2);
      const firstHalf = shares.filter((s) => s < 0.7).length;
      expect(Math.abs(firstHalf / n - 0.5)).toBeLessThan(0.1);
    }
  });
});

describe('Prometheus reading', () => {
  const before = parsePrometheus(
    [
      '# HELP persistence_requests x',
      'persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} 10',
      'persistence_requests{operation="GetNamespace",service_name="frontend"} 5',
      'lat_bucket{le="0.01"} 10',
      'lat_bucket{le="0.1"} 10',
      'lat_bucket{le="+Inf"} 10',
    ].join('\n'),
  );
  const after = parsePrometheus(
    [
      'persistence_requests{operation="UpdateWorkflowExecution",service_name="history"} 110',
      'persistence_requests{operation="GetNamespace",service_name="frontend"} 5',
      'persistence_requests{operation="AppendHistoryNodes",service_name="history"} 50',
      'lat_bucket{le="0.01"} 100',
      'lat_bucket{le="0.1"} 109',
      'lat_bucket{le="+Inf"} 110',
    ].join('\n'),
  );

  it('reads counter increases, in total and by label', () => {
    expect(increase(before, after, 'persistence_requests')).toBe(150);
    expect(increase(before, after, 'persistence_requests', { service_name: 'history' })).toBe(150);
    expect(increaseBy(before, after, 'persistence_requests', 'operation')).toEqual({ UpdateWorkflowExecution: 100, AppendHistoryNodes: 50 });
    expect(increase(before, after, 'missing')).toBeUndefined();
  });

  it('reads a quantile of what a histogram observed between the scrapes as its bucket bound', () => {
    expect(histogramQuantile(before, after, 'lat', 0.5)).toBe(0.01);
    expect(histogramQuantile(before, after, 'lat', 0.95)).toBe(0.1);
    expect(histogramQuantile(before, after, 'lat', 1)).toBe(Number.POSITIVE_INFINITY);
    expect(histogramQuantile(after, after, 'lat', 0.99)).toBeUndefined();
  });
});
