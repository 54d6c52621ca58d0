/** Entry-point plumbing: run until SIGINT/SIGTERM, report start-up errors plainly. */
export function runMain(name: string, body: (stopSignal: Promise<NodeJS.Signals>) => Promise<void>): void {
  let stopping = false;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`braid ${name}: second ${signal}, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`braid ${name}: ${signal} received, shutting down\n`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  body(stopSignal).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`braid ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
