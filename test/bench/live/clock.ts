// The bench's one clock, shared by the writer (stamps) and the subscribers (arrivals): wall-clock
// milliseconds with sub-millisecond resolution, comparable across processes on one machine
// (Date.now() is whole milliseconds, as coarse as the 1-subscriber p50 itself).
import { performance } from 'node:perf_hooks';

export const preciseNow = () => performance.timeOrigin + performance.now();
