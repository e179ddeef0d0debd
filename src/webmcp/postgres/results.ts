/**
 * Query results as the client returns them, collected from the backend's
 * RowDescription / DataRow / CommandComplete / EmptyQueryResponse /
 * ErrorResponse messages, and the command-tag helpers libpq offers
 * (PQcmdTuples, PQoidValue).
 */
import { decodeText, formatErrorFields, parseDataRow, parseErrorFields, parseRowDescription, ProtocolError } from './messages';

export interface PgField { name: Uint8Array; tableOid: number; tableColumn: number; typeOid: number; typeModifier: number }
export interface PgResult {
  /** RowDescription+DataRows / CommandComplete without rows / EmptyQueryResponse / ErrorResponse. */
  status: 'tuples' | 'command' | 'empty' | 'error';
  fields: PgField[];
  /** Text-format values as raw bytes, null for SQL NULL. */
  rows: Array<Array<Uint8Array | null>>;
  /** The CommandComplete tag ("INSERT 0 1"), "" if none. */
  commandTag: string;
  /** ErrorResponse fields by code letter (S V C M D H P p q W F L R ...). */
  error?: Map<string, Uint8Array>;
  /** For errors: the text PQresultErrorMessage would give ("ERROR:  ...\n", DETAIL/HINT lines; no LINE/caret display). */
  errorMessage?: string;
}
export interface PgNotification { channel: Uint8Array; payload: Uint8Array; pid: number }

/** The results of one Simple Query, message by message. */
export class ResultCollector {
  readonly results: PgResult[] = [];
  /** The texts of FATAL or PANIC errors: the server closes the connection after them. */
  fatal = '';
  private current: PgResult | null = null;

  /** Takes a result message; false for any other type. Throws ProtocolError on rows without a description. */
  take(type: string, body: Uint8Array): boolean {
    switch (type) {
      case 'T':
        this.current = {
          status: 'tuples',
          fields: parseRowDescription(body).map((f) => ({
            name: f.name, tableOid: f.tableOid, tableColumn: f.tableColumn, typeOid: f.typeOid, typeModifier: f.typeModifier,
          })),
          rows: [],
          commandTag: '',
        };
        return true;
      case 'D':
        if (this.current === null) throw new ProtocolError('server sent data ("D" message) without prior row description ("T" message)');
        this.current.rows.push(parseDataRow(body));
        return true;
      case 'C': {
        const end = body.indexOf(0);
        const tag = decodeText(end < 0 ? body : body.subarray(0, end));
        if (this.current !== null) {
          this.current.commandTag = tag;
          this.results.push(this.current);
          this.current = null;
        } else {
          this.results.push({ status: 'command', fields: [], rows: [], commandTag: tag });
        }
        return true;
      }
      case 'I':
        this.results.push({ status: 'empty', fields: [], rows: [], commandTag: '' });
        return true;
      case 'E': {
        // as in libpq, a result being collected is dropped in favour of the error
        this.current = null;
        const error = parseErrorFields(body);
        const errorMessage = formatErrorFields(error, true);
        const severity = decodeText(error.get('V') ?? error.get('S') ?? new Uint8Array());
        if (severity === 'FATAL' || severity === 'PANIC') this.fatal += errorMessage;
        this.results.push({ status: 'error', fields: [], rows: [], commandTag: '', error, errorMessage });
        return true;
      }
      default:
        return false;
    }
  }
}

/**
 * PQcmdTuples: the row count of a command tag ("INSERT 0 5" -> "5",
 * "UPDATE 3" -> "3"), "" for tags without one (CREATE TABLE, BEGIN, ...).
 */
export function commandTuples(tag: string): string {
  const m = /^(?:INSERT \d+|DELETE|UPDATE|SELECT|MOVE|FETCH|COPY|MERGE) (\d+)$/.exec(tag);
  return m === null ? '' : m[1];
}

/** PQoidValue: the oid of "INSERT <oid> <rows>" (0 when none, as InvalidOid). */
export function commandOid(tag: string): number {
  const m = /^INSERT (\d+) \d+$/.exec(tag);
  return m === null ? 0 : Number(m[1]);
}
