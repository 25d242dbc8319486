import * as fs from 'fs';
import AjvDraft04 from 'ajv-draft-04';

/**
 * A validator for the official SARIF 2.1.0 (rtm.5) JSON Schema, as Microsoft ships it in
 * @microsoft/jest-sarif (draft-04). Its language-tag pattern is not valid in Unicode mode, hence
 * `unicodeRegExp: false`. Returns the validation errors (none for a valid log).
 */
export function sarifValidator(): (log: unknown) => string[] {
  const schema = JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  ajv.addFormat('uri-reference', /^[^\s]*$/);
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  const validate = ajv.compile(schema);
  return log => (validate(log) ? [] : (validate.errors ?? []).map(e => `${e.instancePath} ${e.message}`));
}
