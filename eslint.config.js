// ESLint flat config: typescript-eslint's recommended rules for the toolkit,
// its tests, the HAL description and the example boards.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'qhal-out/',
      'test/fixtures/malformed/',
      'test/fixtures/malformed-hostile/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
