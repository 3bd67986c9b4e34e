// TEST DOUBLE for another web server on this machine — another local user's,
// a dev server, anything on another loopback port: the same *site* as ours
// for the browser, another *origin*. It serves the attacker's pages and
// records every request the browser sends it, so a test can check it never
// received our token or anything standing in for it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface OtherOriginServer {
  /** http://127.0.0.1:<its port> */
  origin: string;
  port: number;
  requests: RecordedRequest[];
  /** A page that posts a form to `action` as soon as it loads (a classic cross-site form post). */
  formUrl(action: string, enctype: string, fields: Record<string, string>): string;
  close(): Promise<void>;
}

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function formPage(action: string, enctype: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escape(name)}" value="${escape(value)}">`)
    .join('');
  return (
    `<!doctype html><title>form</title>` +
    `<form id="f" method="POST" action="${escape(action)}" enctype="${escape(enctype)}">${inputs}</form>` +
    `<script>document.getElementById('f').submit()</script>`
  );
}

export async function startOtherOriginServer(): Promise<OtherOriginServer> {
  const requests: RecordedRequest[] = [];
  const forms = new Map<string, string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const form = forms.get(path);
      res.setHeader('content-type', 'text/html; charset=utf-8');
      if (form !== undefined) res.end(form);
      else if (path === '/')
        res.end('<!doctype html><title>another local server</title><p>Another local web server.</p>');
      else res.writeHead(404).end('not here');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    port,
    requests,
    formUrl: (action, enctype, fields) => {
      const path = `/form-${forms.size}`;
      forms.set(path, formPage(action, enctype, fields));
      return `${origin}${path}`;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
