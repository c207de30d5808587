// The bench's fixture HTTP server on 127.0.0.1: the test suite's FixtureServer (compiled to build/test/helpers by
// `npm run build`) with the bench's pages, no caching, and /go held until the bench releases it.
import { FixtureServer } from '../../build/test/helpers/fixtureServer.js';

const SMALL_PAGE =
  '<!doctype html><html><head><title>bdg bench</title></head><body><h1>bench</h1><script>console.log("hello from the bench page")</script></body></html>';

/** `/` is a small page that logs one message; `pages` adds more HTML pages by path. */
export async function startFixture(pages = {}) {
  const server = await FixtureServer.start();
  const heldGo = [];
  const text = (status, type, body) => (_req, res) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  server.route('/', text(200, 'text/html; charset=utf-8', SMALL_PAGE));
  for (const [path, html] of Object.entries(pages)) server.route(path, text(200, 'text/html; charset=utf-8', html));
  server.route('/tiny', text(200, 'text/plain', 'ok'));
  server.route('/done', text(200, 'text/plain', 'ok'));
  server.route('/go', (_req, res) => void heldGo.push(res));
  const releaseGo = () => {
    for (const res of heldGo.splice(0)) {
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
      res.end('go');
    }
  };
  return {
    url: (path) => server.url(path),
    /** Resolves true once `path` has been requested (at any time, also before this call), false after `timeoutMs`. */
    waitFor: (path, timeoutMs) =>
      server.requests.some((r) => r.path === path)
        ? Promise.resolve(true)
        : server.waitForRequest(path, timeoutMs).then(
            () => true,
            () => false,
          ),
    releaseGo,
    /** Accepts WebSocket connections on `path` (handler gets each client). */
    webSocket: (path, handler) => server.webSocket(path, handler),
    close: () => {
      releaseGo();
      return server.close();
    },
  };
}
