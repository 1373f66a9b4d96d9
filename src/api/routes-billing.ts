/**
 * Billing routes (issue #24), in the order the API document lists them: a ticket's time entries
 * and hour summary, customers' contracts and prepaid hours, the monthly hours report and the
 * export for invoicing.
 */
import type { CoreContext } from '../core/core-context.js';
import { registerContractRoutes } from './routes-contracts.js';
import { registerHoursReportRoutes } from './routes-hours-reports.js';
import { registerTimeEntryRoutes } from './routes-time-entries.js';
import type { ZodApi } from './zod-api.js';

export function registerBillingRoutes(api: ZodApi, core: CoreContext): void {
  registerTimeEntryRoutes(api, core);
  registerContractRoutes(api, core);
  registerHoursReportRoutes(api, core);
}
