// Writes src/metadata.ts (or into the folder given as the first argument): the @nestjs/swagger plugin's reading of the DTOs and
// controllers, loaded by buildOpenApiDocument so the document is the same under `nest build`
// and under jest (SWC), which runs no compiler plugins.
const { PluginMetadataGenerator } = require('@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator');
const { ReadonlyVisitor } = require('@nestjs/swagger/plugin');
const { join } = require('node:path');

const root = join(__dirname, '..');
process.chdir(root);
new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      introspectComments: true,
      classValidatorShim: true,
      dtoFileNameSuffix: ['.dto.ts'],
      controllerFileNameSuffix: ['.controller.ts'],
      pathToSource: join(root, 'src'),
    }),
  ],
  outputDir: process.argv[2] ?? join(root, 'src'),
  filename: 'metadata.ts',
  watch: false,
  tsconfigPath: 'tsconfig.build.json',
  printDiagnostics: false,
});
