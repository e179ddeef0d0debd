/**
 * Connection startup: the StartupMessage, the authentication exchange
 * (trust, cleartext, md5, SCRAM-SHA-256), then ParameterStatus and
 * BackendKeyData until the first ReadyForQuery. Nothing else is sent.
 */
import { AuthError, md5Response, ScramClient } from './auth';
import type { ConnSettings } from './conninfo';
import { defaultSocketDir } from './conninfo';
import {
  BodyReader, decodeText, formatErrorFields, parseBackendKeyData, parseErrorFields, parseParameterStatus, passwordMessage,
  saslInitialResponse, saslResponse, startupMessage, utf8,
} from './messages';
import { passfilePath, passwordFromFile } from './passfile';
import type { Wire } from './wire';

/** What startup learns about the session. */
export interface SessionState {
  parameters: Map<string, string>;
  backendPid: number;
  secretKey: number;
  /** The ReadyForQuery status byte ('I', 'T', 'E'). */
  readyStatus: string;
}

/** A failed startup: the text libpq would give after "connection to server ... failed: ". */
export class StartupError extends Error {}

/** Writes a NoticeResponse to stderr as libpq's default notice processor does. */
export function printNotice(body: Uint8Array): void {
  process.stderr.write(formatErrorFields(parseErrorFields(body), false));
}

/** The startup packet's parameters; client_encoding only when set, as libpq does. */
function startupParameters(s: ConnSettings): Array<[string, string]> {
  const params: Array<[string, string]> = [['user', s.user], ['database', s.dbname]];
  if (s.applicationName !== undefined) params.push(['application_name', s.applicationName]);
  if (s.clientEncoding !== undefined) params.push(['client_encoding', s.clientEncoding]);
  if (s.options !== undefined) params.push(['options', s.options]);
  return params;
}

const AUTH_NAMES: Record<number, string> = {
  2: 'Kerberos V5 authentication not supported',
  6: 'SCM_CRED authentication method not supported',
  7: 'GSSAPI authentication not supported',
  8: 'GSSAPI authentication not supported',
  9: 'SSPI authentication not supported',
};

/** Runs startup on a connected socket; fills state. Throws StartupError (or WireError / ProtocolError from the wire). */
export function runStartup(wire: Wire, s: ConnSettings, state: SessionState, deadline: number | null): void {
  let fromFile: string | undefined;
  const password = (): Uint8Array => {
    let pw = s.password;
    if (pw === undefined) {
      const file = passfilePath(s.passfile);
      if (file !== undefined) {
        pw = passwordFromFile(file, s.host, s.port, s.dbname, s.user, defaultSocketDir());
        if (pw !== undefined) fromFile = file;
      }
    }
    if (pw === undefined) throw new StartupError('fe_sendauth: no password supplied\n');
    return utf8(pw);
  };
  let scram: ScramClient | undefined;
  let scramDone = false;

  wire.write(startupMessage(startupParameters(s)), deadline);
  for (;;) {
    const m = wire.read(deadline);
    switch (m.type) {
      case 'R': {
        const r = new BodyReader(m.body, 'Authentication');
        const code = r.int32();
        try {
          if (code === 0) {
            if (scram !== undefined && !scramDone) throw new AuthError('server accepted the login before completing the SCRAM exchange');
          } else if (code === 3) {
            wire.write(passwordMessage(password()), deadline);
          } else if (code === 5) {
            wire.write(passwordMessage(md5Response(password(), utf8(s.user), r.bytes(4))), deadline);
          } else if (code === 10) {
            const mechanisms: string[] = [];
            while (r.remaining > 0) {
              const name = decodeText(r.cstring());
              if (name === '') break;
              mechanisms.push(name);
            }
            if (!mechanisms.includes(ScramClient.MECHANISM)) {
              throw new AuthError("none of the server's SASL authentication mechanisms are supported");
            }
            scram = new ScramClient(password());
            wire.write(saslInitialResponse(ScramClient.MECHANISM, scram.clientFirst()), deadline);
          } else if (code === 11) {
            if (scram === undefined) throw new AuthError('out of order SASL message (SASLContinue before SASL)');
            wire.write(saslResponse(scram.clientFinal(r.rest())), deadline);
          } else if (code === 12) {
            if (scram === undefined) throw new AuthError('out of order SASL message (SASLFinal before SASL)');
            scram.verifyServerFinal(r.rest());
            scramDone = true;
          } else {
            throw new AuthError(AUTH_NAMES[code] ?? `authentication method ${code} not supported`);
          }
        } catch (err) {
          if (err instanceof AuthError) throw new StartupError(`${err.message}\n`);
          throw err;
        }
        break;
      }
      case 'E': {
        const fields = parseErrorFields(m.body);
        let text = formatErrorFields(fields, true);
        const code = fields.get('C');
        if (fromFile !== undefined && code !== undefined && decodeText(code) === '28P01') {
          text += `password retrieved from file "${fromFile}"\n`;
        }
        throw new StartupError(text);
      }
      case 'S': {
        const [name, value] = parseParameterStatus(m.body);
        state.parameters.set(name, value);
        break;
      }
      case 'K': {
        const key = parseBackendKeyData(m.body);
        state.backendPid = key.pid;
        state.secretKey = key.secret;
        break;
      }
      case 'N':
        printNotice(m.body);
        break;
      case 'v':
        break; // NegotiateProtocolVersion: only sent for options this client never asks for
      case 'Z':
        state.readyStatus = m.body.length > 0 ? String.fromCharCode(m.body[0]) : 'I';
        return;
      default:
        throw new StartupError(`expected authentication request from server, but received ${m.type}\n`);
    }
  }
}
