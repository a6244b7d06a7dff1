import { spawn } from 'node:child_process';
import { existsSync, readFile, statSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChainruleError } from '../errors.js';
import { intOption, positionals } from './args.js';
import type { Command } from './command.js';

/** The built app: dist/playground of the package (src/cli and dist/cli both sit two levels below the package root). */
export function playgroundRoot(): string {
  return fileURLToPath(new URL('../../dist/playground/', import.meta.url));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

/** The page's policy, sent with every file (a worker takes its policy from its own response). */
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' data:";

/**
 * A static server for one folder on 127.0.0.1: GET and HEAD only, files inside the folder only
 * (no listing, no dotfiles), nothing written.
 * @example
 * ```ts
 * const server = serveStatic(playgroundRoot());
 * await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
 * const { port } = server.address() as { port: number };
 * (await fetch(`http://127.0.0.1:${port}/.env`)).status // 404
 * await new Promise((ok) => server.close(ok));
 * ```
 */
export function serveStatic(root: string): Server {
  const base = normalize(root.endsWith(sep) ? root : root + sep);
  return createServer((req, res) => {
    const send = (code: number, text: string) => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (!file.startsWith(base) || path.split('/').some((p) => p.startsWith('.'))) return send(404, 'not found');
    readFile(file, (err, body) => {
      if (err) return send(404, 'not found');
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cross-Origin-Resource-Policy': 'same-origin',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
  });
}

/** Opens a URL in the desktop's browser, if there is one; failures are ignored (the URL is printed). */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // no opener: the printed URL is enough
  }
}

export const playground: Command = {
  name: 'playground',
  summary: 'train a network in the browser and step through its backpropagation (a local page)',
  help: `usage: chainrule playground [--port N] [--no-open]

Serves the playground on 127.0.0.1 and opens it in the browser: data sets, features, layers,
activations, losses, optimizers and regularisation to pick; heat maps, loss curves and formulas
with live numbers; step mode walks one example's forward and backward pass with the worked
solution of \`chainrule solve\`; export the problem file (YAML) and the weights (safetensors).
Training runs in the page (WebAssembly, in a worker); nothing is fetched from the network.
The first line printed is the URL; Ctrl-C stops the server.
  --port     the port (default 5190; 0 picks a free one)
  --no-open  only print the URL`,
  options: { port: { type: 'string' }, 'no-open': { type: 'boolean' } },
  run: (args) => {
    positionals(args, 0, 'no arguments', 'playground');
    const port = intOption(args, 'port', 5190, 0, 65535);
    const root = playgroundRoot();
    if (!existsSync(join(root, 'index.html')) || !statSync(join(root, 'index.html')).isFile()) {
      throw new ChainruleError(`the built playground is missing (${join(root, 'index.html')}); in a clone, run npm run build`);
    }
    const server = serveStatic(root);
    return new Promise<number>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        reject(e.code === 'EADDRINUSE' ? new ChainruleError(`--port ${port} is in use; give another port, or --port 0 for a free one`) : e);
      });
      server.listen(port, '127.0.0.1', () => {
        const addr = server.address();
        const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/`;
        process.stdout.write(`${url}\n`);
        process.stdout.write('chainrule playground: serving the page; Ctrl-C stops the server\n');
        if (!args.switches.has('no-open')) openBrowser(url);
        const stop = () => {
          server.close(() => resolve(0));
          server.closeAllConnections();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
  },
};
