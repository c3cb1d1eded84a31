// A server process's retained memory, through its inspector (started with --inspect): a full garbage
// collection, then the JS heap in use. Unlike RSS, which swings by tens of MB with the work of the
// moment, this only grows if something is kept: the soak's leak detector.
import WebSocket from 'ws';

export interface Inspector {
  /** heap used after a full GC, MB (the GC pauses the process for ~0.1-0.3 s) */
  heapAfterGc(): Promise<number>;
  close(): void;
}

export async function openInspector(port: number): Promise<Inspector> {
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  const replies = new Map<number, (result: any) => void>();
  ws.on('message', (m) => { const msg = JSON.parse(String(m)); replies.get(msg.id)?.(msg.result); replies.delete(msg.id); });
  let nextId = 0;
  const call = (method: string, params: object = {}) => new Promise<any>((resolve) => {
    const id = ++nextId;
    replies.set(id, resolve);
    ws.send(JSON.stringify({ id, method, params }));
  });
  return {
    async heapAfterGc() {
      await call('HeapProfiler.collectGarbage');
      const r = await call('Runtime.evaluate', { expression: 'process.memoryUsage().heapUsed', returnByValue: true });
      return r.result.value / 2 ** 20;
    },
    close: () => ws.close(),
  };
}
