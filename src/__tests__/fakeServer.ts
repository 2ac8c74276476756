import { ServerConnection } from '@jupyterlab/services';

/** A scripted answer of the fake server. */
export interface IFakeReply {
  status: number;
  body: string;
  statusText?: string;
  contentType?: string;
}

/**
 * The lowest I/O seam: a `fetch` that answers from a script and records the
 * requested URLs. Everything above it (URL building, auth headers, error
 * parsing, the model) runs for real.
 */
export class FakeServer {
  constructor(baseUrl = 'http://localhost:8888/user/alice/') {
    this.settings = ServerConnection.makeSettings({
      baseUrl,
      token: 'secret-token',
      fetch: (input: RequestInfo | URL, init?: RequestInit) =>
        this._fetch(input, init)
    });
  }

  readonly settings: ServerConnection.ISettings;
  readonly requests: Request[] = [];
  /** Answer of the next calls; the last one repeats. */
  replies: (IFakeReply | 'network-error')[] = [];
  /**
   * Answers by request (tried before {@link replies}): return a reply, or
   * undefined to fall through to the queue.
   */
  handler:
    ((request: Request) => IFakeReply | 'network-error' | undefined) | null =
    null;

  /** The requests whose URL path ends with `suffix`. */
  requestsTo(suffix: string): Request[] {
    return this.requests.filter(r => new URL(r.url).pathname.endsWith(suffix));
  }

  /** Queue a JSON answer. */
  json(status: number, data: unknown): this {
    this.replies.push({
      status,
      body: JSON.stringify(data),
      contentType: 'application/json'
    });
    return this;
  }

  private async _fetch(
    input: RequestInfo | URL,
    init?: RequestInit
  ): Promise<Response> {
    const request =
      input instanceof Request ? input : new Request(String(input), init);
    this.requests.push(request);
    const routed = this.handler?.(request);
    const reply =
      routed ??
      (this.replies.length > 1 ? this.replies.shift()! : this.replies[0]);
    if (!reply || reply === 'network-error') {
      throw new TypeError('Failed to fetch');
    }
    // 204/304 must not carry a body.
    const body = [204, 304].includes(reply.status) ? null : reply.body;
    return new Response(body, {
      status: reply.status,
      statusText: reply.statusText ?? '',
      headers: { 'Content-Type': reply.contentType ?? 'text/html' }
    });
  }
}

/** A JSON reply for {@link FakeServer.handler}. */
export function jsonReply(status: number, data: unknown): IFakeReply {
  return {
    status,
    body: JSON.stringify(data),
    contentType: 'application/json'
  };
}

/** Resolve once `check` is true (polls every 5 ms; rejects after `timeout`). */
export async function waitFor(
  check: () => boolean,
  timeout = 2000
): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeout) {
      throw new Error('waitFor: timed out');
    }
    await new Promise(resolve => setTimeout(resolve, 5));
  }
}
