import eslint from '@eslint/js';
import nodePlugin from 'eslint-plugin-n';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'src/metadata.ts', 'scripts/', 'bench/*.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    plugins: { n: nodePlugin },
    rules: {
      // Every package imported is declared in package.json (`src/…` is this repository's own path alias).
      'n/no-extraneous-import': ['error', { allowModules: ['src'] }],
      'n/no-extraneous-require': ['error', { allowModules: ['src'] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through src/config/app-config.ts.' },
      ],
    },
  },
  {
    files: ['src/config/app-config.ts', 'test/**/*.ts', 'ormconfig.ts', 'bench/**/*.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.browser-spec.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['describe', 'it', 'test'].flatMap((object) =>
          ['only', 'skip', 'todo'].map((property) => ({ object, property, message: 'Every test runs, every time.' })),
        ),
      ],
    },
  },
);
