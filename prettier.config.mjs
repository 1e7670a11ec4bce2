// @ts-check
// `pnpm format` writes, `pnpm format:check` (a step of `npm test`) fails on any file it would change.
// Imports are sorted in one block, as the code already groups them: Node built-ins, packages, the
// workspace's own (@storefront/*), then relative paths.

/** @type {import('prettier').Config & import('@ianvs/prettier-plugin-sort-imports').PluginConfig} */
export default {
  printWidth: 140,
  singleQuote: true,
  trailingComma: 'all',
  // Template literals keep their text as written: the trace viewer's page, SQL, HTML bodies are data.
  embeddedLanguageFormatting: 'off',
  plugins: ['@ianvs/prettier-plugin-sort-imports'],
  importOrder: ['<BUILTIN_MODULES>', '<THIRD_PARTY_MODULES>', '^@storefront/', '^[.]'],
  importOrderTypeScriptVersion: '6.0.0',
  // Nest's decorators (experimentalDecorators in tsconfig).
  importOrderParserPlugins: ['typescript', 'decorators-legacy'],
};
