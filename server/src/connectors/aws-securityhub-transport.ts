// The AWS SDK's Security Hub client, sending every request through the connector's GuardedHttp
// instead of the SDK's own node:http handler: the same address guard (no link-local / metadata
// hosts, checked at connect time), per-attempt timeout, body cap, redirect re-checks, secret
// redaction and 429/5xx retries honouring Retry-After as every other kind. The SDK still builds,
// signs (SigV4) and parses each call; its own retry layer is switched off (maxAttempts 1) so a
// throttled call is retried once, by one policy, not 4 × 5 times.
import type { SecurityHubClient, SecurityHubClientConfig } from '@aws-sdk/client-securityhub';
import type { KindContext } from './kind.ts';
import { ConnectorError } from './connector-error.ts';

/** The parts of the SDK's HttpRequest the handler reads (smithy's protocol-http shape). */
interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null | undefined>;
  headers: Record<string, string>;
  body?: unknown;
}

// Statuses handed back to the SDK so it can read AWS's typed error (InvalidAccessException,
// AccessDeniedException …) from the body; 429 and 5xx stay with GuardedHttp, which retries them.
const SDK_READS = Array.from({ length: 100 }, (_, i) => 400 + i).filter((s) => s !== 429);
// A throttle can also arrive as HTTP 400 with this error type (AWS's older front ends): waited out here.
const THROTTLE_TYPES = /^(ThrottlingException|Throttling|TooManyRequestsException|RequestLimitExceeded)\b/;
const THROTTLE_RETRIES = 4;
// headers the fetch layer sets itself from the URL and body (the same values the SDK signed)
const TRANSPORT_HEADERS = new Set(['host', 'content-length']);

function urlOf(req: SdkHttpRequest): string {
  const port = req.port ? `:${req.port}` : '';
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query ?? {})) {
    if (v === null || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) query.append(k, one);
  }
  const qs = query.toString();
  return `${req.protocol}//${req.hostname}${port}${req.path}${qs ? `?${qs}` : ''}`;
}

function bodyOf(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  // from the underlying bytes: Buffer.from(view) would call the SDK's string adapter's valueOf()
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  // Security Hub's operations send JSON text; a stream here would mean an operation we do not use
  throw new ConnectorError('AWS Security Hub: the SDK produced a streaming request body, which this connector does not send');
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
});

/** A smithy RequestHandler over GuardedHttp. */
export function guardedRequestHandler(ctx: KindContext) {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: SdkHttpRequest, options?: { abortSignal?: AbortSignal }) {
      const signal = options?.abortSignal && ctx.signal ? AbortSignal.any([options.abortSignal as AbortSignal, ctx.signal]) : (options?.abortSignal as AbortSignal | undefined) ?? ctx.signal;
      const headers = Object.fromEntries(Object.entries(request.headers).filter(([k]) => !TRANSPORT_HEADERS.has(k.toLowerCase())));
      const url = urlOf(request);
      const body = bodyOf(request.body);
      for (let attempt = 0; ; attempt++) {
        const res = await ctx.http.request(url, { method: request.method, headers, body, accept: SDK_READS }, signal);
        const errorType = res.headers.get('x-amzn-errortype') ?? '';
        if (res.status === 400 && THROTTLE_TYPES.test(errorType) && attempt < THROTTLE_RETRIES) {
          await sleep(Math.min(20_000, 500 * 2 ** attempt), signal);
          continue;
        }
        // a 2xx body the SDK cannot parse must fail as "not JSON", never be read as an empty page
        if (res.status < 300 && res.body.trim()) ctx.http.parseJson(res);
        const responseHeaders: Record<string, string> = {};
        res.headers.forEach((value, name) => { responseHeaders[name] = value; });
        return { response: { statusCode: res.status, reason: undefined, headers: responseHeaders, body: new Uint8Array(Buffer.from(res.body, 'utf8')) } };
      }
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() { return {}; },
    destroy() {},
  };
}

export interface AwsCredentials { accessKeyId: string; secretAccessKey: string }

/**
 * A Security Hub client for one region. The SDK is imported on first use: it is 20 MB of modules
 * that only a worker running this kind needs.
 */
export async function securityHubClient(ctx: KindContext, region: string, credentials: AwsCredentials, endpoint: string | null): Promise<SecurityHubClient> {
  const { SecurityHubClient } = await import('@aws-sdk/client-securityhub');
  const config: SecurityHubClientConfig = {
    region,
    credentials,
    maxAttempts: 1,
    requestHandler: guardedRequestHandler(ctx) as SecurityHubClientConfig['requestHandler'],
    ...(endpoint ? { endpoint } : {}),
  };
  return new SecurityHubClient(config);
}

/**
 * An SDK call whose failure becomes a ConnectorError naming the status and AWS's error type
 * ("403 from AWS Security Hub (the credentials were rejected): InvalidSignatureException: …").
 */
export async function awsCall<T>(ctx: KindContext, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ConnectorError) throw e;
    if (ctx.signal?.aborted) throw e;
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    const hint = status === 401 || /UnrecognizedClient|InvalidSignature|InvalidClientTokenId|SignatureDoesNotMatch/.test(err.name ?? '')
      ? ' (the credentials were rejected)'
      : status === 403 ? ' (the access key lacks a permission)' : '';
    const prefix = status ? `${status} from AWS Security Hub${hint}` : 'AWS Security Hub';
    ctx.http.fail(`${prefix} ${what}: ${err.name ?? 'Error'}: ${String(err.message ?? e).slice(0, 400)}`, status);
  }
}
