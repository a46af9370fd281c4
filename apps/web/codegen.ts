import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types for the web app's GraphQL operations, generated from the committed schema (run from the
 * repository root): `npx graphql-codegen --config apps/web/codegen.ts`. The unit test
 * apps/web/codegen.spec.ts fails when the committed files differ from what this generates, so the
 * app and the API cannot drift apart unnoticed.
 */
export function codegenConfig(schema = 'apps/api/schema.graphql'): CodegenConfig {
  return {
    schema,
    documents: ['apps/web/src/**/*.{ts,tsx}', '!apps/web/src/gql/**'],
    ignoreNoDocuments: false,
    silent: true,
    generates: {
      'apps/web/src/gql/': {
        preset: 'client',
        presetConfig: { fragmentMasking: false },
        config: {
          // Plain strings on the wire: no GraphQL parser in the browser bundle.
          documentMode: 'string',
          enumsAsTypes: true,
          useTypeImports: true,
          skipTypename: true,
          scalars: { DateTime: 'string', JSON: 'unknown' },
        },
      },
    },
  };
}

export default codegenConfig();
