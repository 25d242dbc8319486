/** The rule language: syntax tree, lexer, parser, printer and tree helpers. */
export * from './ast';
export { lexRule, quoteString } from './lexer';
export type { LexResult, RuleComment, Token, TokenKind } from './lexer';
export { MAX_RULE_DEPTH, RESERVED_WORDS, parseRule, unitName } from './parser';
export type { ParseResult, RuleDiagnostic, RuleDiagnosticData, RuleEdit } from './parser';
export { OPERATOR_TEXT, formatCondition, formatLiteral, formatNumber, printRule } from './printer';
export type { PrintOptions } from './printer';
export { childrenOf, stripSpans, walkExpr } from './walk';
export type { WithoutSpans } from './walk';
