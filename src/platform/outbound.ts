/**
 * Outbound HTTP fetches of URLs that clients supply (email attachments): the URL
 * is checked against an allow-list of hosts before it is called, redirects are
 * refused (they could lead anywhere), and the body is cut off at a size limit.
 */

export class OutboundUrlError extends Error {}

/** True when `url` is http(s) and its host (`name` or `name:port`) is in `allowedHosts` (lower case). */
export function isAllowedUrl(url: string, allowedHosts: string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  if (u.username || u.password) return false;
  return allowedHosts.includes(u.host.toLowerCase()) || allowedHosts.includes(u.hostname.toLowerCase());
}

export interface FetchedFile {
  filename: string;
  content: Buffer;
  contentType?: string;
}

/**
 * Downloads `url` if its host is allowed.
 * @throws OutboundUrlError for a host not allowed, a redirect, a non-2xx answer, a body over `maxBytes`, a timeout.
 */
export async function fetchAllowedFile(url: string, opts: { allowedHosts: string[]; maxBytes: number; timeoutMs: number }): Promise<FetchedFile> {
  if (!isAllowedUrl(url, opts.allowedHosts)) throw new OutboundUrlError(`${url} is not on an allowed host`);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    throw new OutboundUrlError(`${url} could not be fetched: ${(err as Error).message}`);
  }
  if (!res.ok) throw new OutboundUrlError(`${url} answered HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > opts.maxBytes) throw new OutboundUrlError(`${url} is larger than ${opts.maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > opts.maxBytes) throw new OutboundUrlError(`${url} is larger than ${opts.maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  const name = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).at(-1) ?? 'attachment');
  return { filename: name || 'attachment', content: Buffer.concat(chunks), contentType: res.headers.get('content-type') ?? undefined };
}
