// A reverse proxy of ours on 127.0.0.1 between a client and the registry that injects faults by
// rule (each rule fires a bounded number of times) and counts what passes: requests per method,
// blob bytes uploaded, faults injected. Clients address the proxy as if it were the registry;
// distribution builds upload Locations from the Host header, so they point back at the proxy.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';

/** `Fault` is what to do to a matching request. */
export type Fault =
  | { kind: 'reset' }
  | { kind: 'status'; status: 500 | 502 | 503 | 413 | 408 | 416 }
  | { kind: '429'; retryAfterSeconds: number }
  | { kind: 'hang' }
  | { kind: 'wrong-body' }
  | { kind: 'reset-mid-body'; afterBytes: number }
  /** Send the first `afterBytes` of the body, then nothing more, with the connection left open. */
  | { kind: 'stall-mid-body'; afterBytes: number }
  /** Answer a PUT 201 Created (with the digest of what was sent) without passing it on: a registry that lies. */
  | { kind: 'fake-201' }
  | { kind: 'redirect'; location: (path: string) => string };

/** `FaultRule` injects `fault` into the next `times` requests that `match`. */
export interface FaultRule {
  match: (method: string, path: string) => boolean;
  fault: Fault;
  times: number;
}

/** Counters the proxy keeps. */
export interface ProxyStats {
  requests: Record<string, number>;
  faults: Record<string, number>;
  /** Bytes of request bodies sent to blob upload URLs (PUT/PATCH). */
  uploadBytes: number;
  /** Requests per "METHOD kind" where kind is manifests, blobs or uploads. */
  byKind: Record<string, number>;
  /** Requests that carried an Authorization header. */
  withAuthorization: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  host: string;
  stats: ProxyStats;
  rules: FaultRule[];
  /** Total faults injected so far. */
  injected(): number;
  reset(): void;
  stop(): Promise<void>;
}

/** `startFaultProxy` proxies to `upstream` (`127.0.0.1:PORT`, plain HTTP). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [uhost, uport] = upstream.split(':');
  const sockets = new Set<Socket>();
  const stats: ProxyStats = { requests: {}, faults: {}, uploadBytes: 0, byKind: {}, withAuthorization: 0 };
  const rules: FaultRule[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    stats.requests[method] = (stats.requests[method] ?? 0) + 1;
    const kind = /\/blobs\/uploads\//.test(path) ? 'uploads' : /\/blobs\//.test(path) ? 'blobs' : /\/manifests\//.test(path) ? 'manifests' : 'other';
    stats.byKind[`${method} ${kind}`] = (stats.byKind[`${method} ${kind}`] ?? 0) + 1;
    const rule = rules.find((r) => r.times > 0 && r.match(method, path));
    const fault = rule?.fault;
    if (rule) {
      rule.times--;
      stats.faults[fault!.kind] = (stats.faults[fault!.kind] ?? 0) + 1;
    }
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (req.headers.authorization) stats.withAuthorization++;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'redirect') {
      req.resume();
      res.writeHead(307, { location: fault.location(path) }).end();
      return;
    }
    if (fault?.kind === 'fake-201') {
      const hash = createHash('sha256');
      req.on('data', (c: Buffer) => hash.update(c));
      req.on('end', () => {
        const digest = `sha256:${hash.digest('hex')}`;
        res.writeHead(201, { 'docker-content-digest': digest, location: path, 'content-length': '0' }).end();
      });
      return;
    }
    if (fault?.kind === 'status' || fault?.kind === '429') {
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault.kind === '429') headers['retry-after'] = String(fault.retryAfterSeconds);
      const status = fault.kind === '429' ? 429 : fault.status;
      res.writeHead(status, headers).end(JSON.stringify({ errors: [{ code: 'INJECTED', message: `fault injected (${status})` }] }));
      return;
    }
    const up = httpRequest({ host: uhost, port: Number(uport), method, path, headers: req.headers }, (ures) => {
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      if (fault?.kind === 'wrong-body') {
        let flipped = false;
        ures.on('data', (c: Buffer) => {
          if (!flipped && c.length > 0) {
            c = Buffer.from(c);
            c[0] = c[0]! ^ 0xff;
            flipped = true;
          }
          res.write(c);
        });
        ures.on('end', () => res.end());
        return;
      }
      if (fault?.kind === 'stall-mid-body') {
        let sent = 0;
        ures.on('data', (c: Buffer) => {
          if (sent >= fault.afterBytes) return;
          const part = c.subarray(0, fault.afterBytes - sent);
          sent += part.length;
          res.write(part);
          // Headers and the first bytes went out; the rest never comes, and the socket stays open.
          if (sent >= fault.afterBytes) ures.destroy();
        });
        return;
      }
      if (fault?.kind === 'reset-mid-body') {
        let sent = 0;
        ures.on('data', (c: Buffer) => {
          if (sent + c.length >= fault.afterBytes) {
            res.write(c.subarray(0, Math.max(0, fault.afterBytes - sent)), () => res.socket?.destroy());
            ures.destroy();
            sent = fault.afterBytes;
            return;
          }
          sent += c.length;
          res.write(c);
        });
        ures.on('end', () => res.end());
        return;
      }
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    if ((method === 'PUT' || method === 'PATCH') && kind === 'uploads') {
      req.on('data', (c: Buffer) => (stats.uploadBytes += c.length));
    }
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    stats,
    rules,
    injected: () => Object.values(stats.faults).reduce((a, b) => a + b, 0),
    reset() {
      stats.requests = {};
      stats.faults = {};
      stats.byKind = {};
      stats.uploadBytes = 0;
      stats.withAuthorization = 0;
      rules.length = 0;
    },
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
