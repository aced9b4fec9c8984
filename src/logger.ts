import pino, { type Logger } from 'pino';

/**
 * Structured JSON to stdout, one object a line, for journald. Anything that looks like a secret is
 * censored at the logger so a careless call site cannot leak it.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'tollgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'req.headers.authorization',
          'req.headers.cookie', 'res.headers["set-cookie"]', '*.secretEnc', '*.passwordEnc', '*.tokenHash',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pino.destination({ sync: true }),
  );
}
