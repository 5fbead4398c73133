// Run by sqlite.test.ts in several processes at once: open FILE, migrate, add TEAM.
import { createSqliteStorage } from '../../../hub/storage/sqlite/index.js';

const [file, team] = process.argv.slice(2);
const storage = createSqliteStorage({ file });
await storage.migrate();
await storage.ensureTeam(team);
await storage.close();
process.stdout.write('ok\n');
