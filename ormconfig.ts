import { DataSource } from 'typeorm';
import { loadConfig } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';

/**
 * The DataSource the TypeORM CLI uses (e.g. `npx typeorm migration:show -d dist/ormconfig.js`),
 * built by the same function as the app. It needs DATABASE_URL: the embedded database only
 * runs inside a flagdog process (use `npm run migration:run` for it).
 */
const config = loadConfig();
if (config.databaseUrl === null) throw new Error('ormconfig.ts needs DATABASE_URL');

export default new DataSource(buildDataSourceOptions(config.databaseUrl, 1));
