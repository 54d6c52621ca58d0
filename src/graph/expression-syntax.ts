/**
 * How an expression is written: a string `{% … %}`. Import-free, so the
 * pages (the editor marks expression fields) share it without JSONata.
 */
export const EXPRESSION_OPEN = '{%';
export const EXPRESSION_CLOSE = '%}';

export function isExpression(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= EXPRESSION_OPEN.length + EXPRESSION_CLOSE.length &&
    value.startsWith(EXPRESSION_OPEN) &&
    value.endsWith(EXPRESSION_CLOSE)
  );
}
