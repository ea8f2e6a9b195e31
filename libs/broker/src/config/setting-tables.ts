import { brokerSettings } from './broker-settings';
import { limitSettings } from './limits-config';
import { securitySettings } from './security-settings';
import type { SettingTable } from './setting';

/** Every table of broker settings, in the README table's order: the loader, the table and its spec read this one list. */
export const SETTING_TABLES: readonly SettingTable[] = [brokerSettings, limitSettings, securitySettings];
