/**
 * mondelefant's error codes: dotted CamelCase names derived from the
 * PostgreSQL SQLSTATE (its class, the first two characters, and for
 * integrity violations the full code), plus the names mondelefant gives to
 * failures of its own. Apps test them with errorobject:is_kind_of(class).
 */

export const ERRCODE_UNKNOWN = 'unknown';
export const ERRCODE_CONNECTION = 'ConnectionException';
export const ERRCODE_RESULTCOUNT_LOW = 'WrongResultSetCount.ResultSetMissing';
export const ERRCODE_RESULTCOUNT_HIGH = 'WrongResultSetCount.TooManyResults';
export const ERRCODE_QUERY1_NO_ROWS = 'NoData.OneRowExpected';
export const ERRCODE_QUERY1_MULTIPLE_ROWS = 'CardinalityViolation.OneRowExpected';

/** Prefix of a SQLSTATE and its name; the first matching prefix wins, so full codes precede their class. */
const SQLSTATE_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['02', 'NoData'],
  ['03', 'SqlStatementNotYetComplete'],
  ['08', 'ConnectionException'],
  ['09', 'TriggeredActionException'],
  ['0A', 'FeatureNotSupported'],
  ['0B', 'InvalidTransactionInitiation'],
  ['0F', 'LocatorException'],
  ['0L', 'InvalidGrantor'],
  ['0P', 'InvalidRoleSpecification'],
  ['21', 'CardinalityViolation'],
  ['22', 'DataException'],
  ['23001', 'IntegrityConstraintViolation.RestrictViolation'],
  ['23502', 'IntegrityConstraintViolation.NotNullViolation'],
  ['23503', 'IntegrityConstraintViolation.ForeignKeyViolation'],
  ['23505', 'IntegrityConstraintViolation.UniqueViolation'],
  ['23514', 'IntegrityConstraintViolation.CheckViolation'],
  ['23', 'IntegrityConstraintViolation'],
  ['24', 'InvalidCursorState'],
  ['25', 'InvalidTransactionState'],
  ['26', 'InvalidSqlStatementName'],
  ['27', 'TriggeredDataChangeViolation'],
  ['28', 'InvalidAuthorizationSpecification'],
  ['2B', 'DependentPrivilegeDescriptorsStillExist'],
  ['2D', 'InvalidTransactionTermination'],
  ['2F', 'SqlRoutineException'],
  ['34', 'InvalidCursorName'],
  ['38', 'ExternalRoutineException'],
  ['39', 'ExternalRoutineInvocationException'],
  ['3B', 'SavepointException'],
  ['3D', 'InvalidCatalogName'],
  ['3F', 'InvalidSchemaName'],
  ['40', 'TransactionRollback'],
  ['42', 'SyntaxErrorOrAccessRuleViolation'],
  ['44', 'WithCheckOptionViolation'],
  ['53', 'InsufficientResources'],
  ['54', 'ProgramLimitExceeded'],
  ['55', 'ObjectNotInPrerequisiteState'],
  ['57', 'OperatorIntervention'],
  ['58', 'SystemError'],
  ['F0', 'ConfigurationFileError'],
  ['P0', 'PlpgsqlError'],
  ['XX', 'InternalError'],
];

/** mondelefant's name for a SQLSTATE ("unknown" for a class it does not name). */
export function translateSqlstate(sqlstate: string): string {
  for (const [prefix, name] of SQLSTATE_NAMES) if (sqlstate.startsWith(prefix)) return name;
  return ERRCODE_UNKNOWN;
}

/** Bytes up to the first NUL: the C string a Lua string is read as. */
function cString(bytes: Uint8Array): Uint8Array {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes : bytes.subarray(0, nul);
}

/** Whether code is errclass itself or one of its subclasses ("A.B" is of kind "A", "AB" is not). */
export function isKindOf(codeBytes: Uint8Array, classBytes: Uint8Array): boolean {
  const code = cString(codeBytes);
  const errclass = cString(classBytes);
  if (code.length < errclass.length) return false;
  for (let i = 0; i < errclass.length; i++) if (code[i] !== errclass[i]) return false;
  return code.length === errclass.length || code[errclass.length] === 0x2e;
}

/** The first line of a message, without its CR or LF (and nothing from a NUL on). */
export function firstLine(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] !== 0x0a && bytes[i] !== 0x0d && bytes[i] !== 0) i++;
  return bytes.subarray(0, i);
}

/** PostgreSQL's type names for the built-in type OIDs mondelefant knows (column info "type"). */
const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [16, 'bool'], [17, 'bytea'], [18, 'char'], [19, 'name'], [20, 'int8'], [21, 'int2'],
  [23, 'int4'], [25, 'text'], [26, 'oid'], [27, 'tid'], [28, 'xid'], [29, 'cid'],
  [114, 'json'], [600, 'point'], [601, 'lseg'], [602, 'path'], [603, 'box'],
  [604, 'polygon'], [628, 'line'], [700, 'float4'], [701, 'float8'], [705, 'unknown'],
  [718, 'circle'], [790, 'money'], [829, 'macaddr'], [869, 'inet'], [650, 'cidr'],
  [1042, 'bpchar'], [1043, 'varchar'], [1082, 'date'], [1083, 'time'],
  [1114, 'timestamp'], [1184, 'timestamptz'], [1186, 'interval'], [1266, 'timetz'],
  [1560, 'bit'], [1562, 'varbit'], [1700, 'numeric'], [3802, 'jsonb'],
]);

export const BYTEA_OID = 17;

export function typeName(oid: number): string | undefined {
  return TYPE_NAMES.get(oid);
}
