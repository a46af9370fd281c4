import type { ValidationRule } from 'graphql';
import type { Config } from '@tributary/config';
import { credentialMutationRule } from '../auth/credential-mutations.js';
import { inputLiteralRule } from './input-checks.js';
import { queryShapeRule } from './query-limits.js';
import type { QueryLimits } from './query-limits.js';

export function queryLimits(config: Config): QueryLimits {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxFields: config.GRAPHQL_MAX_FIELDS,
    maxRootFields: config.GRAPHQL_MAX_ROOT_FIELDS,
    maxCost: config.GRAPHQL_MAX_COST,
    quotas: config,
  };
}

/** The rules every operation is validated with besides GraphQL's own, over HTTP and graphql-ws alike. */
export function validationRules(config: Config): ValidationRule[] {
  return [queryShapeRule(queryLimits(config)), inputLiteralRule, credentialMutationRule];
}
