// Process plumbing shared by the Node test peers (js02.mjs, js03.mjs, js10.mjs); see testdata/peers/MODES.md.
//
//   node peers/<peer>.mjs [--port N] [--no-stream]     (single-dash -port / -no-stream work too)
//
// Once listening on 127.0.0.1 a peer prints exactly one stdout line, "READY http://127.0.0.1:<port>", and nothing
// more on stdout. It exits when its stdin closes (so a dying test leaves no orphan; give it a pipe, not /dev/null)
// and on SIGTERM/SIGINT.

// stdout carries only the READY line: send any library chatter to stderr. Importing this module does it, so
// import it before anything that might log.
console.log = console.info = console.debug = (...a) => console.error(...a);

/** parseArgs reads --port N / --port=N / -port N / -port=N (default 0 = random) and --no-stream / -no-stream. */
export function parseArgs(argv, name) {
  const usage = () => {
    console.error(`usage: node ${name} [--port N] [--no-stream]`);
    process.exit(1);
  };
  let port = 0;
  let streaming = true;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i].replace(/^--?/, '-'); // one or two dashes, like Go's flag package
    if (a === '-port' && i + 1 < argv.length) port = Number(argv[++i]);
    else if (a.startsWith('-port=')) port = Number(a.slice(6));
    else if (a === '-no-stream') streaming = false;
    else usage();
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`${name}: bad --port`);
    process.exit(1);
  }
  return { port, streaming };
}

/**
 * serve starts app on 127.0.0.1:port. Once listening it calls onBase(base) (to fill in the card's URLs, which need
 * the real port), then prints the READY line. It also wires the exit-on-stdin-close and SIGTERM handling.
 */
export function serve(app, port, onBase) {
  const server = app.listen(port, '127.0.0.1', (err) => {
    if (err) {
      console.error(err);
      process.exit(1);
    }
    const base = `http://127.0.0.1:${server.address().port}`;
    onBase(base);
    process.stdout.write(`READY ${base}\n`);
  });
  server.on('error', (err) => {
    console.error(err);
    process.exit(1);
  });
  const quit = () => process.exit(0);
  process.on('SIGTERM', quit);
  process.on('SIGINT', quit);
  process.stdin.on('end', quit).on('close', quit).on('error', quit).resume();
  return server;
}
