/**
 * Redis connections for the distributed batch: the URL as ioredis options (user, password, db,
 * TLS for rediss://), and a probe that fails fast, with advice, where BullMQ's own connections
 * would retry forever in silence (a wrong port, a refused password, a server that is too old).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { TesseraError } from '../../shared/errors.ts';
import { QueueUrlSchema, redactQueueUrl } from '../../shared/queue-target.ts';

/** BullMQ needs Redis ≥ 5; 6.2 is what it is tested on and what this project documents. */
const MIN_VERSION = [6, 2] as const;

/** ioredis options for a redis:// or rediss:// URL (BullMQ makes its own connections from them). */
export function redisOptions(url: string): RedisOptions {
  const checked = QueueUrlSchema.safeParse(url);
  if (!checked.success) throw new TesseraError('BAD_INPUT', `--queue must be redis://[user:password@]host:port[/db], or rediss://… for TLS (got "${redactQueueUrl(url)}").`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TesseraError('BAD_INPUT', `--queue is not a valid URL ("${redactQueueUrl(url)}").`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: parsed.hostname } } : {}),
  };
}

/** A Redis error as advice: what is wrong and what to do. */
export function redisProblem(url: string, error: unknown): TesseraError {
  const where = redactQueueUrl(url);
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return new TesseraError('QUEUE_UNAVAILABLE', `Redis at ${where} refused the credentials (${message.split('\n')[0]}). Give them in the URL: redis://user:password@host:port (or rediss:// for TLS).`);
  }
  if (/NOPERM/i.test(message)) return new TesseraError('QUEUE_UNAVAILABLE', `The Redis user of ${where} may not run what BullMQ needs (${message}). Grant it the tessera:* keys and the commands in docs/DISTRIBUTED.md.`);
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|Connection is closed|connect ETIMEDOUT/i.test(`${code} ${message}`)) {
    return new TesseraError('QUEUE_UNAVAILABLE', `Cannot reach Redis at ${where} (${code || message}). Start redis-server there (or check the host and port in --queue), and make sure this machine may connect to it.`);
  }
  if (/SSL|TLS|certificate|EPROTO/i.test(`${code} ${message}`)) {
    return new TesseraError('QUEUE_UNAVAILABLE', `TLS to Redis at ${where} failed (${message}). Use rediss:// only for a server with TLS enabled, and check its certificate (NODE_EXTRA_CA_CERTS=ca.pem for a private CA).`);
  }
  return new TesseraError('QUEUE_UNAVAILABLE', `Redis at ${where} failed: ${message}`);
}

/**
 * Connects once, without retries, and checks the server: reachable, credentials accepted, Redis
 * ≥ 6.2, and not evicting keys (BullMQ loses jobs under an eviction policy). Returns warnings.
 */
export async function probeRedis(url: string, timeoutMs = 5000): Promise<string[]> {
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  // connect() only says "Connection is closed"; the cause (ECONNREFUSED, WRONGPASS, …) comes as an error event.
  let cause: unknown = null;
  client.on('error', (error: unknown) => {
    cause ??= error;
  });
  try {
    await client.connect();
    const info = await client.info('server');
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    const major = Number(version?.[1] ?? 0);
    const minor = Number(version?.[2] ?? 0);
    if (version && (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1]))) {
      throw new TesseraError('QUEUE_UNAVAILABLE', `Redis at ${redactQueueUrl(url)} is version ${major}.${minor}; distributed batches need Redis ${MIN_VERSION.join('.')} or newer.`);
    }
    const warnings: string[] = [];
    const policy = await client.config('GET', 'maxmemory-policy').catch(() => null);
    const value = Array.isArray(policy) ? String(policy[1] ?? '') : '';
    if (value && value !== 'noeviction') warnings.push(`Redis at ${redactQueueUrl(url)} has maxmemory-policy ${value}: it may evict queued jobs. Set maxmemory-policy noeviction.`);
    return warnings;
  } catch (error) {
    throw error instanceof TesseraError ? error : redisProblem(url, cause ?? error);
  } finally {
    client.disconnect();
  }
}
